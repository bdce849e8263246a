/// When each publish of an open-loop phase is due: the i-th (from 0) at `start + i / rate`
/// seconds, whatever the server did with the ones before. A publish that leaves late still
/// counts its latency from this time, so a server that holds the generator up pays for it
/// (no coordinated omission).
public struct OpenLoopSchedule: Sendable, Equatable {
    /// CLOCK_MONOTONIC nanoseconds of the first publish.
    public let start: UInt64
    /// Publishes per second, above 0.
    public let rate: Double
    /// Publishes in the phase.
    public let count: Int

    public init(start: UInt64, rate: Double, count: Int) {
        precondition(rate > 0 && count >= 0, "a schedule needs a positive rate")
        self.start = start
        self.rate = rate
        self.count = count
    }

    /// The due time of publish `index` (0 ..< count).
    public func dueTime(_ index: Int) -> UInt64 {
        start + UInt64((Double(index) * 1e9 / rate).rounded())
    }

    /// How many publishes are due at `now` (0 ... count).
    public func dueCount(at now: UInt64) -> Int {
        guard now >= start else { return 0 }
        // The float estimate, corrected against dueTime so both agree exactly.
        var due = min(count, Int(Double(now - start) * rate / 1e9) + 1)
        while due > 0 && dueTime(due - 1) > now { due -= 1 }
        while due < count && dueTime(due) <= now { due += 1 }
        return due
    }

    /// Milliseconds to wait at `now` before publish `next` is due, rounded down (0 when it is
    /// due within the millisecond, or overdue); nil once every publish has gone.
    public func waitMillis(next: Int, now: UInt64) -> Int32? {
        guard next < count else { return nil }
        let due = dueTime(next)
        return due <= now ? 0 : Int32(min((due - now) / 1_000_000, 1000))
    }
}
