import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Turns process signals into an async stream, using Dispatch signal sources (the default
/// action is disabled first, so the signal is only reported, never fatal).
///
/// Signals are handled outside the event loops: a loop never blocks or runs signal
/// handlers, and shutdown is ordered from one place (`ModelServerApp.run`).
final class SignalWatcher {
    /// The signals, in arrival order.
    let signals: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(_ numbers: [Int32]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        signals = stream
        sources = numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
