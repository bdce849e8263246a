/// The limits one WebSocket connection enforces on its peer (STYLE P8).
///
/// Every frame and message is checked as soon as its length is known, before its payload
/// is buffered; exceeding a size limit fails the connection with 1009.
public struct WebSocketLimits: Sendable, Equatable {
    /// The largest frame payload accepted from a client, in bytes. Default 16 MiB, so the
    /// echo endpoint passes Autobahn's 9.x cases (single frames up to 16 MiB); RFC 6455
    /// allows 2^63 - 1, which no server should buffer.
    public var maxFrameBytes: Int
    /// The largest message accepted from a client, in bytes: the sum of its fragments, or
    /// its inflated size when compressed. Default 16 MiB.
    public var maxMessageBytes: Int
    /// How long a connection may stay silent before the server pings it. Default 30 s.
    public var pingInterval: Duration
    /// How many pings in a row may go unanswered before the server closes the connection.
    /// Default 2: pings go out after 1 and 2 intervals of silence, and a peer still silent
    /// at 3 × `pingInterval` is dropped.
    public var maxMissedPongs: Int

    /// Limits with the given values; the defaults are the echo endpoint's.
    public init(
        maxFrameBytes: Int = 16 << 20, maxMessageBytes: Int = 16 << 20,
        pingInterval: Duration = .seconds(30), maxMissedPongs: Int = 2
    ) {
        precondition(maxFrameBytes > 0 && maxMessageBytes > 0, "size limits must be positive")
        precondition(maxMissedPongs > 0, "at least one pong must be awaited")
        self.maxFrameBytes = maxFrameBytes
        self.maxMessageBytes = maxMessageBytes
        self.pingInterval = pingInterval
        self.maxMissedPongs = maxMissedPongs
    }

    /// The echo endpoint's limits (the defaults): 16 MiB frames and messages.
    public static let echo = WebSocketLimits()

    /// Limits for room clients, which only send small JSON commands: 64 KiB frames and
    /// messages, so ten thousand connections cannot make the server buffer much.
    public static let rooms = WebSocketLimits(maxFrameBytes: 64 << 10, maxMessageBytes: 64 << 10)
}
