import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns process signals into an async stream; owns the process's signal pipe and the
/// thread that reads it.
///
/// A handler installed with `sigaction` writes each signal's number to a pipe (CLinux's
/// `clinux_signal_pipe_open`), whichever thread the kernel delivers it to, and a dedicated
/// thread reads the pipe and yields the numbers. Dispatch signal sources were used before:
/// on Linux they depend on the signal being blocked on the thread that drains libdispatch's
/// epoll set, and a SIGTERM was once left unhandled (the server ran on until it was killed).
///
/// Signals are handled outside the event loops: a loop never blocks or runs signal
/// handlers, and shutdown is ordered from one place (`ModelServerApp.run`), which calls
/// `stop()` last: from then on (or once the watcher is gone) the signals are ignored.
final class SignalWatcher {
    /// The signals, in arrival order.
    let signals: AsyncStream<Int32>
    private let numbers: [Int32]
    private var stopped = false

    init(_ numbers: [Int32]) throws(SignalWatcherError) {
        self.numbers = numbers
        let readEnd = numbers.withUnsafeBufferPointer { clinux_signal_pipe_open($0.baseAddress, Int32($0.count)) }
        guard readEnd >= 0 else { throw SignalWatcherError(errno: errno) }
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        signals = stream
        let reader = Thread {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 {
                    continuation.yield(Int32(byte))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break  // end of file: the watcher closed the write end
                }
            }
            close(readEnd)
            continuation.finish()
        }
        reader.name = "modeld-signals"
        reader.start()
    }

    /// Ignores the signals from now on and ends the stream and the reader thread.
    func stop() {
        guard !stopped else { return }
        stopped = true
        numbers.withUnsafeBufferPointer { clinux_signal_pipe_close($0.baseAddress, Int32($0.count)) }
    }

    deinit {
        stop()
    }
}

/// The signal pipe could not be set up (no descriptors left, or one is already open).
struct SignalWatcherError: Error, CustomStringConvertible {
    let errno: Int32
    var description: String { "cannot watch signals: \(String(cString: strerror(errno)))" }
}
