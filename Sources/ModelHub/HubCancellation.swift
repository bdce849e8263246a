import Synchronization

/// A flag a pull checks between chunks and while it waits, set from any thread to stop it.
///
/// Transfers poll it at least every 50 ms (`HubTransfer`), so a cancel stops a download within
/// 100 ms even while the hub sends nothing; partial blobs stay for a later resume.
public final class HubCancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    private let check: @Sendable () -> Bool

    /// A flag that is not set.
    public init() {
        check = { false }
    }

    /// A flag that also reads as set once `check` returns true (a loader's own cancellation).
    public init(checking check: @escaping @Sendable () -> Bool) {
        self.check = check
    }

    /// Asks the pull to stop.
    public func cancel() { flag.store(true, ordering: .releasing) }

    /// Whether `cancel()` was called (or `check` says so).
    public var isCancelled: Bool { flag.load(ordering: .acquiring) || check() }

    /// Sleeps up to `duration` in 50 ms slices, returning early (and throwing) on cancel.
    /// A real wait, never a stand-in for work: the backoff before a retry of a failed
    /// transfer, and the pause between tries of a lock another process holds. The slices
    /// are how a cancel (which sets a flag, and has no descriptor to wake a sleeper) is seen
    /// within 50 ms.
    func sleep(_ duration: Duration) throws(HubError) {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            if isCancelled { throw .cancelled }
            let left = deadline - ContinuousClock.now
            let slice = min(left, .milliseconds(50))
            let (seconds, attoseconds) = slice.components
            var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            nanosleep(&request, nil)  // one slice of a real wait (backoff or lock), short so a cancel is seen
        }
        if isCancelled { throw .cancelled }
    }
}

#if canImport(Glibc)
import Glibc
#endif
