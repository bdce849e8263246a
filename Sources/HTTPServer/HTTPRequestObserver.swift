public import EventLoop

/// Watches every response a server sends, so the application can keep request metrics
/// without this layer knowing what a metric is.
///
/// Policy: the server calls `responseQueued` on the connection's loop, exactly once per final
/// response (never for `100 Continue`), right after the response is queued: routed answers,
/// `404`/`405`, errors before routing (`400`, `408`, `413`, `414`, `431`, `505`) and the
/// `101` of an upgrade. It runs on the hot path of every probe, which allocates nothing
/// (DESIGN §2.3), so an observer must be quick, must not block and should not allocate in
/// the steady state. Observers are classes: a class existential is one reference, so the
/// connection's per-response copy of it is a retain, not an opaque box copied through value
/// witnesses (0.5 % of a probe's CPU, measured with `perf`).
public protocol HTTPRequestObserver: AnyObject, Sendable {
    /// One final response was queued (see the protocol's policy).
    func responseQueued(_ response: HTTPResponseRecord)
}

/// What an `HTTPRequestObserver` learns about one response: small values only, so reporting
/// it copies nothing from the request.
public struct HTTPResponseRecord: Sendable, Equatable {
    /// The number of the route that answered (an index into `HTTPRouter.patterns`), or nil
    /// when none did: no route matched (`404`), the method did not (`405`), or the request
    /// failed before routing.
    public var route: Int?
    /// The request's method, or nil when the request line was never parsed.
    public var method: HTTPMethod?
    /// The index of the loop that answered, `0..<eventLoops`: an observer can keep one
    /// tally per loop, written by that loop's thread only, and add them up when read.
    public var loop: Int
    /// The status code sent, 101...599.
    public var statusCode: Int
    /// When the request's first byte was processed, on the loop's clock (`CLOCK_MONOTONIC`
    /// in production).
    public var startedAt: LoopInstant
    /// When the response was queued, on the same clock.
    public var finishedAt: LoopInstant

    public init(route: Int?, method: HTTPMethod?, loop: Int = 0, statusCode: Int, startedAt: LoopInstant,
                finishedAt: LoopInstant) {
        self.route = route
        self.method = method
        self.loop = loop
        self.statusCode = statusCode
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// From `startedAt` to `finishedAt`. The instants are kept apart because an observer
    /// on the hot path can subtract nanoseconds far more cheaply than build a `Duration`.
    public var duration: Duration { startedAt.duration(to: finishedAt) }
}
