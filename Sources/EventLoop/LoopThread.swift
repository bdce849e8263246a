import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread (not the cooperative pool): event loops block in `epoll_wait`,
/// and blocking work must never sit on Swift concurrency's threads (DESIGN §2.2).
public final class LoopThread: Sendable {
    private let thread: pthread_t

    /// Starts a thread named `name` (at most 15 bytes are kept) running `body`.
    public init(name: String, body: @escaping @Sendable () -> Void) {
        final class Box: Sendable {
            let name: String
            let body: @Sendable () -> Void
            init(name: String, body: @escaping @Sendable () -> Void) { self.name = name; self.body = body }
        }
        let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            _ = clinux_set_thread_name(String(box.name.prefix(15)))
            box.body()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed with \(result)")
        self.thread = thread
    }

    /// Waits for the thread to finish.
    public func join() {
        _ = pthread_join(thread, nil)
    }
}
