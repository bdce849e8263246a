import EventLoop

/// What a WebSocket route does with its connections' messages.
///
/// - `echo` (`modeld serve --enable-echo`, for conformance suites): every text or binary
///   message is sent back as it came, compressed when the client negotiated it.
/// - `rooms`: clients send `{"action":"subscribe"|"unsubscribe","room":NAME}`; the
///   server sends room messages. A malformed or unknown command gets an error message
///   (`{"event":"error","data":{"code":...,"message":...}}`), not a closed connection; a
///   binary message closes with 1003.
public struct WebSocketEndpoint: Sendable {
    public enum Kind: Sendable {
        case echo
        case rooms(RoomPolicy)
        /// A protocol layered on WebSocket (Socket.IO): its handler gets the messages, and
        /// room messages are sent in their `layered` form (others are skipped).
        case application(WebSocketApplication)
    }

    public let kind: Kind
    /// Frame and message limits for clients of this endpoint.
    public let limits: WebSocketLimits
    /// The slow-subscriber policy.
    public let outboundLimits: OutboundLimits

    public init(kind: Kind, limits: WebSocketLimits, outboundLimits: OutboundLimits) {
        self.kind = kind
        self.limits = limits
        self.outboundLimits = outboundLimits
    }

    func textReceived(_ bytes: [UInt8], connection: WebSocketConnection, loop: EventLoop) {
        switch kind {
        case .echo: connection.echo(bytes, opcode: .text, loop: loop)
        case .rooms(let policy): connection.roomCommandReceived(bytes, policy: policy, loop: loop)
        case .application: connection.application?.textReceived(bytes, loop: loop)
        }
    }

    func binaryReceived(_ bytes: [UInt8], connection: WebSocketConnection, loop: EventLoop) {
        switch kind {
        case .echo: connection.echo(bytes, opcode: .binary, loop: loop)
        case .rooms: connection.fail(.unsupportedData, loop: loop)
        case .application: connection.application?.binaryReceived(bytes, loop: loop)
        }
    }
}

/// The application's say over rooms (this layer knows no room's meaning).
public struct RoomPolicy: Sendable {
    /// The hub that routes messages to members.
    public let hub: RoomHub
    /// Whether a client may join `room`; others get an `unknown_room` error.
    public let allowsRoom: @Sendable (RoomName) -> Bool
    /// The message a client receives right after joining `room` (the current state, so a
    /// page opened mid-load starts at the right place), built at join time on the loop.
    public let snapshot: @Sendable (RoomName) -> RoomMessage?
    /// Rooms per connection and room-name length.
    public let limits: RoomLimits

    public init(hub: RoomHub, limits: RoomLimits = RoomLimits(), allowsRoom: @escaping @Sendable (RoomName) -> Bool,
                snapshot: @escaping @Sendable (RoomName) -> RoomMessage?) {
        self.hub = hub
        self.limits = limits
        self.allowsRoom = allowsRoom
        self.snapshot = snapshot
    }
}
