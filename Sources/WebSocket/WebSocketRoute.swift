public import HTTPServer

/// Builds the upgrade handlers of WebSocket and Server-Sent Events routes.
public enum WebSocketRoute {
    /// A WebSocket route: validates the opening handshake (400/426/403 otherwise),
    /// negotiates permessage-deflate, and hands the socket to a `WebSocketConnection` that
    /// joins `initialRooms(request)` (e.g. from `?room=`) before reading anything.
    public static func handler(
        endpoint: WebSocketEndpoint, hub: RoomHub, allowedOrigins: [String]? = nil,
        deflate: PerMessageDeflateConfiguration? = PerMessageDeflateConfiguration(),
        initialRooms: @escaping @Sendable (HTTPRequest) -> [RoomName] = { _ in [] }
    ) -> HTTPHandler {
        .upgrade { request in
            switch WebSocketHandshake.validate(request: request, allowedOrigins: allowedOrigins, deflate: deflate) {
            case .failure(let rejection):
                return .reject(rejection.response)
            case .success(let accepted):
                let rooms = initialRooms(request)
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

    /// A Server-Sent Events route: answers `200 text/event-stream` and streams `room`'s
    /// messages, starting with `initial(request)` (a snapshot, or the events missed since
    /// `Last-Event-ID`); `room(request)` nil or a rejection response refuses the stream.
    public static func eventStream(
        hub: RoomHub, outboundLimits: OutboundLimits,
        open: @escaping @Sendable (HTTPRequest) -> EventStreamOpening
    ) -> HTTPHandler {
        .upgrade { request in
            switch open(request) {
            case .reject(let response):
                return .reject(response)
            case .stream(let room, let initial):
                let head = Array(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                    + "X-Accel-Buffering: no\r\nConnection: close\r\n\r\n").utf8)
                return .accept(HTTPUpgradeAcceptance(responseHead: head) { socket in
                    EventStreamConnection(socket: socket, hub: hub, room: room, initial: initial,
                                          outboundLimits: outboundLimits)
                })
            }
        }
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
