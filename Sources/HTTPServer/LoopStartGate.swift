import Dispatch
import EventLoop
import Synchronization

/// Holds a server's loop threads at the start line until every one has created its poller
/// and registered its listeners, so `Server.start` fails as a whole instead of leaving some
/// loops serving while another cannot start.
///
/// Without it, loop 0 could accept until the process ran out of descriptors before loop 1
/// had created its epoll instance, which then failed and took the process down (found by
/// the `ulimit -n 64` connection flood of the fault-injection tests).
final class LoopStartGate: Sendable {
    private let created = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)
    private let failure = Mutex<SocketError?>(nil)

    /// On a loop thread: its loop is ready (`error` nil) or could not be made. Returns,
    /// once every loop has reported, whether the loop may run.
    func arrive(failedWith error: SocketError? = nil) -> Bool {
        if let error { failure.withLock { $0 = $0 ?? error } }
        created.signal()
        released.wait()  // a real wake-up: the starting thread releases every loop at once
        return failure.withLock { $0 == nil }
    }

    /// On the starting thread: waits for the `arrived` loops (all of them, unless starting a
    /// thread failed part-way), releases them, and returns the first failure if any.
    func releaseAll(arrived: Int, failure extra: SocketError? = nil) -> SocketError? {
        for _ in 0..<arrived { created.wait() }  // a real wake-up: each loop thread signals once ready
        if let extra { failure.withLock { $0 = $0 ?? extra } }
        for _ in 0..<arrived { released.signal() }
        return failure.withLock { $0 }
    }
}
