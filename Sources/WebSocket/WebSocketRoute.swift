public import HTTPServer

/// Builds the upgrade handlers of WebSocket and Server-Sent Events routes.
public enum WebSocketRoute {
    /// A WebSocket route: validates the opening handshake (400/426/403 otherwise, the
    /// `Origin` by `origins`), negotiates permessage-deflate, and hands the socket to a
    /// `WebSocketConnection` that joins `initialRooms(request)` (e.g. from `?room=`) before
    /// reading anything. On a rooms endpoint, initial rooms past the policy's `RoomLimits`
    /// (a name too long, more distinct rooms than a connection may join) get 400 instead.
    public static func handler(
        endpoint: WebSocketEndpoint, hub: RoomHub, origins: OriginPolicy = .sameOriginOnly,
        deflate: PerMessageDeflateConfiguration? = PerMessageDeflateConfiguration(),
        initialRooms: @escaping @Sendable (HTTPRequest) -> [RoomName] = { _ in [] }
    ) -> HTTPHandler {
        .upgrade { request in
            switch WebSocketHandshake.validate(request: request, origins: origins, deflate: deflate) {
            case .failure(let rejection):
                return .reject(rejection.response)
            case .success(let accepted):
                let rooms = initialRooms(request)
                if case .rooms(let policy) = endpoint.kind, let refusal = refusal(ofInitialRooms: rooms, limits: policy.limits) {
                    return .reject(refusal)
                }
                let agreedDeflate = accepted.deflate
                return .accept(HTTPUpgradeAcceptance(responseHead: accepted.responseHead) { socket in
                    let context = WebSocketLoopContext.of(socket.loop, hub: hub)
                    let connection = WebSocketConnection(socket: socket, endpoint: endpoint, loopContext: context,
                                                         deflate: agreedDeflate, counters: hub.counters)
                    connection.start(initialRooms: rooms)
                    return connection
                })
            }
        }
    }

    /// The 400 for initial rooms past `limits`, or nil when they are within them.
    static func refusal(ofInitialRooms rooms: [RoomName], limits: RoomLimits) -> HTTPResponse? {
        if let problem = rooms.lazy.compactMap(limits.nameProblem).first {
            return .error(.badRequest, code: problem.code, message: problem.message)
        }
        guard rooms.count > limits.maxRoomsPerConnection else { return nil }
        guard Set(rooms).count > limits.maxRoomsPerConnection else { return nil }
        return .error(.badRequest, code: RoomLimits.tooManyRoomsCode, message: limits.tooManyRoomsMessage)
    }

    /// A Server-Sent Events route: answers `200 text/event-stream` and streams `room`'s
    /// messages, starting with `initial(request)` (a snapshot, or the events missed since
    /// `Last-Event-ID`); `open(request)` returning a rejection refuses the stream. At most
    /// `maxStreams` streams are open at once across the hub's loops: past it, `503` with
    /// `Retry-After` and code `too_many_subscribers`, and the open streams go on.
    public static func eventStream(
        hub: RoomHub, outboundLimits: OutboundLimits, maxStreams: Int = .max,
        open: @escaping @Sendable (HTTPRequest) -> EventStreamOpening
    ) -> HTTPHandler {
        .upgrade { request in
            switch open(request) {
            case .reject(let response):
                return .reject(response)
            case .stream(let room, let initial):
                guard hub.counters.tryOpenEventStream(limit: maxStreams) else {
                    return .reject(tooManyStreams(maxStreams))
                }
                let head = Array(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                    + "X-Accel-Buffering: no\r\nConnection: close\r\n\r\n").utf8)
                // The slot taken above belongs to the stream from here (the handler is made
                // at once, on this loop) and is given back when it closes.
                return .accept(HTTPUpgradeAcceptance(responseHead: head) { socket in
                    EventStreamConnection(socket: socket, hub: hub, room: room, initial: initial,
                                          outboundLimits: outboundLimits)
                })
            }
        }
    }

    /// Seconds a client refused for `too_many_subscribers` is told to wait.
    static let eventStreamRetryAfterSeconds = 5

    static func tooManyStreams(_ maxStreams: Int) -> HTTPResponse {
        .error(.serviceUnavailable, code: "too_many_subscribers",
               message: "\(maxStreams) event streams are open, the most this server allows (setting sse.max-subscribers);"
                   + " retry later, or follow the events over the WebSocket /ws.",
               headers: [(name: "Retry-After", value: String(eventStreamRetryAfterSeconds))])
    }
}

/// How an event-stream route answers a request.
public enum EventStreamOpening: Sendable {
    /// Stream `room`, starting with what `initial` returns. It is called on the loop right
    /// after the stream joined the room, so no event falls between the two.
    case stream(room: RoomName, initial: @Sendable () -> [RoomMessage])
    /// Refuse with this response.
    case reject(HTTPResponse)
}
