/// Per-connection output limits, the slow-subscriber policy of DESIGN §1.4 (uWS's
/// `maxBackpressure`, redis's `client-output-buffer-limit`).
///
/// Under `softBytes` of queued output, every message is queued. Past it, a replaceable
/// message replaces the queued one with the same key instead of adding to the queue. Past
/// `hardBytes`, or past `softBytes` for longer than `softGrace`, the connection is closed
/// with 1013 (try again later). Messages that must be delivered are never dropped: they
/// either fit, or the connection is closed.
public struct OutboundLimits: Sendable, Equatable {
    /// Queued bytes past which replaceable messages are coalesced. Default 256 KiB.
    public var softBytes: Int = 256 * 1024
    /// Queued bytes past which the connection is closed with 1013. Default 4 MiB.
    public var hardBytes: Int = 4 * 1024 * 1024
    /// Longest time a connection may stay past `softBytes`. Default 30 s.
    public var softGrace: Duration = .seconds(30)

    public init() {}
}
