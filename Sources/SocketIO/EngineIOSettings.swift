public import WebSocket

/// The settings of one Engine.IO server (`socketio.*`, plus the WebSocket origin and
/// slow-subscriber policies it shares with `/ws`).
public struct EngineIOSettings: Sendable {
    /// How often the server pings each session (`pingInterval` in the open packet). Default 25 s.
    public var pingInterval: Duration = .seconds(25)
    /// How long a ping waits for its pong before the session is closed. Default 20 s.
    public var pingTimeout: Duration = .seconds(20)
    /// Largest payload a client may send: a POST body, or one WebSocket message. Default 1 MB.
    public var maxPayload: Int = 1_000_000
    /// Sessions open at once; past it a handshake (polling or websocket) gets 503. A session
    /// lasts until its client closes it or misses a pong, so without a bound a client
    /// repeating handshakes would hold ~650 bytes each for up to pingInterval + pingTimeout.
    /// Checked at the handshake: loops handshaking at the same instant may each pass the
    /// last free place (at most one extra session per loop). Default 10,000.
    public var maxSessions: Int = 10_000
    /// Which browser origins may use the server (the WebSocket rule; polling answers with CORS).
    public var origins: OriginPolicy = .sameOriginOnly
    /// The slow-subscriber limits of each session's queue.
    public var outboundLimits = OutboundLimits()
    /// Rooms per socket and room-name length.
    public var roomLimits = RoomLimits()

    public init() {}

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// The open packet's data for session `sid`.
    func handshake(sid: String, upgrades: [String]) -> [UInt8] {
        var out = Array(#"{"sid":"#.utf8)
        SocketIOEvent.appendJSONString(sid, to: &out)
        out += Array(#","upgrades":["#.utf8)
        for (index, upgrade) in upgrades.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            SocketIOEvent.appendJSONString(upgrade, to: &out)
        }
        out += Array("],\"pingInterval\":\(Self.milliseconds(pingInterval)),\"pingTimeout\":\(Self.milliseconds(pingTimeout)),\"maxPayload\":\(maxPayload)}".utf8)
        return out
    }
}

/// The application's say over what Socket.IO clients see (this layer knows no room's
/// meaning).
public struct SocketIOPolicy: Sendable {
    /// The room every socket is in after CONNECT until it joins another (all events).
    public let defaultRoom: RoomName
    /// Whether a socket may join `room`.
    public let allowsRoom: @Sendable (RoomName) -> Bool
    /// The snapshot of `room` for a joining socket: the sequence number it covers and its
    /// JSON (the join's ack argument); nil when the room has none.
    public let snapshot: @Sendable (RoomName) -> (sequence: Int, data: [UInt8])?
    /// The messages of `room` after `sequence` still held (a session moving from polling
    /// to WebSocket catches up with them); nil when some are gone.
    public let replay: @Sendable (RoomName, Int) -> [RoomMessage]?
    /// Whether `token` (CONNECT's `auth.token`) is the admin token.
    public let isAdminToken: @Sendable (String) -> Bool

    public init(defaultRoom: RoomName, allowsRoom: @escaping @Sendable (RoomName) -> Bool,
                snapshot: @escaping @Sendable (RoomName) -> (sequence: Int, data: [UInt8])?,
                replay: @escaping @Sendable (RoomName, Int) -> [RoomMessage]?,
                isAdminToken: @escaping @Sendable (String) -> Bool) {
        self.defaultRoom = defaultRoom
        self.allowsRoom = allowsRoom
        self.snapshot = snapshot
        self.replay = replay
        self.isAdminToken = isAdminToken
    }
}
