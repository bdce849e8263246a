/// How a route answers. The kinds differ in what the server must build and where the answer
/// is produced, which is what keeps probes allocation-free and slow work off the loop.
public enum HTTPHandler: Sendable {
    /// Answered on the loop without building an `HTTPRequest` (probes: DESIGN §1.1 says
    /// nothing may allocate more than the response). Receives the method, so `HEAD` and
    /// `GET` can share it.
    case immediate(@Sendable (HTTPMethod) -> HTTPResponse)
    /// Answered on the loop with the whole request (status endpoints).
    case synchronous(@Sendable (HTTPRequest) -> HTTPResponse)
    /// Answered later, from any thread, through the `HTTPResponder` (work off the loop).
    /// Pipelined requests behind it wait, so responses stay in request order.
    case asynchronous(@Sendable (HTTPRequest, HTTPResponder) -> Void)
    /// Answered on the loop by switching protocols (RFC 9110 §7.8) or refusing to: the
    /// handler validates the request and either rejects it with a normal response or
    /// accepts it, and then the socket leaves HTTP for good (see `HTTPUpgrade`).
    case upgrade(@Sendable (HTTPRequest) -> HTTPUpgrade)
}

/// Delivers one asynchronous response back to the connection's loop. Using it twice, or
/// after the connection closed, does nothing.
public struct HTTPResponder: Sendable {
    let loop: EventLoopHandle
    let registration: Registration
    let requestNumber: UInt64

    /// Sends `response` to the client (hops to the connection's loop).
    public func respond(_ response: HTTPResponse) {
        let registration = registration
        let requestNumber = requestNumber
        loop.execute { loop in
            guard loop.isCurrent(registration),
                  let connection = loop.handlerForRegistration(registration) as? HTTPConnection else { return }
            connection.asynchronousResponseArrived(response, requestNumber: requestNumber, loop: loop)
        }
    }
}

import EventLoop
