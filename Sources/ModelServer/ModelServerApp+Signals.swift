import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Signals while the server runs.
extension ModelServerApp {
    /// Serves `SIGHUP`s until `SIGTERM` or `SIGINT` arrives, and returns that signal.
    ///
    /// Policy: reloads run one at a time, in a task of their own, so a shutdown signal is
    /// never held up by a reload in progress; `SIGHUP`s that arrive during a reload
    /// collapse into one more reload after it (the file may have changed again). On
    /// shutdown a queued reload is dropped and the running one is awaited, so no reload
    /// starts loads after the drain began.
    /// Around each reload systemd hears `RELOADING=1` (with `MONOTONIC_USEC`) and then
    /// `READY=1`, as `Type=notify-reload` expects, whether the reload was applied or rejected.
    static func serveSignals(_ signals: AsyncStream<Int32>, reloader: ConfigurationReloader,
                             notifier: SystemdNotifier? = nil, logger: Logger) async -> Int32 {
        let (requests, queue) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let reloads = Task {
            for await _ in requests {
                // A cancelled stream may still hand out the request it buffered.
                guard !Task.isCancelled else { break }
                logger.info("reloading", metadata: [LogKey.signal: "SIGHUP"])
                notifier?.reloading()
                await reloader.reload()
                notifier?.ready()
            }
        }
        var stop = SIGTERM
        for await signal in signals {
            if signal == SIGHUP {
                queue.yield()
                continue
            }
            stop = signal
            break
        }
        queue.finish()
        reloads.cancel()
        await reloads.value
        return stop
    }
}
