import CLinux
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The one way into a loop from another thread: a locked queue of tasks plus an `eventfd`
/// write that wakes the loop's `epoll_wait` (the NIO and FlyingFox wake-up).
///
/// Tasks receive the loop as a parameter, so loop-confined state is only ever touched on
/// the loop's own thread.
public final class EventLoopHandle: Sendable {
    /// A unit of work that runs on the loop's thread.
    public typealias Task = @Sendable (EventLoop) -> Void

    private let queue = Mutex<[Task]>([])
    /// The eventfd; written by any thread, read by the loop.
    let wakeFD: Int32
    /// Position of the loop in its group (0-based), for logs and metrics.
    public let index: Int

    /// Creates the handle (and its eventfd) for the loop at position `index` of a group.
    public init(index: Int) throws(SocketError) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw SocketError("eventfd", errno: clinux_errno()) }
        wakeFD = fd
        self.index = index
    }

    deinit {
        SocketCalls.close(wakeFD)
    }

    /// Runs `task` on the loop's thread soon. Never blocks on the loop; safe from any thread.
    public func execute(_ task: @escaping Task) {
        let wasEmpty = queue.withLock { tasks in
            tasks.append(task)
            return tasks.count == 1
        }
        // Only the first task after a drain needs a wake-up; later ones ride along.
        if wasEmpty { wake() }
    }

    func wake() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Glibc.write(wakeFD, $0.baseAddress, 8) }
    }

    /// Takes every queued task (called on the loop).
    func takeTasks(into buffer: inout [Task]) {
        queue.withLock { tasks in
            swap(&tasks, &buffer)
        }
    }

    /// Clears the eventfd counter (called on the loop).
    func drainWakeups() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { Glibc.read(wakeFD, $0.baseAddress, 8) }
    }
}
