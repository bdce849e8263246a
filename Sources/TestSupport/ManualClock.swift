public import EventLoop
import Synchronization

/// A clock that moves only when a test advances it, so timeouts are tested without sleeping.
public final class ManualClock: LoopClock {
    private let current: Mutex<LoopInstant>

    public init(start: LoopInstant = LoopInstant(nanoseconds: 1_000_000_000)) {
        current = Mutex(start)
    }

    public func now() -> LoopInstant {
        current.withLock { $0 }
    }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
    }
}
