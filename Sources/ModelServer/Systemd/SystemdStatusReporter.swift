import ModelLoading

/// Keeps systemd's `STATUS=` line in step with the loader: after every load event the line
/// is rebuilt from the loader's snapshot and sent if it changed.
///
/// Rate limit: at most one line per `minimumInterval` (default 250 ms, so 4 per second), and
/// never a lost final state. The event handler only drops a wake-up into a one-slot buffer
/// (it never blocks the load thread that emits the event); `run()` takes a wake-up, reads the
/// snapshot as it is then, sends, and waits out the interval. Wake-ups during the wait
/// collapse into one, which reads the latest snapshot, so the last state is always sent.
final class SystemdStatusReporter: Sendable {
    private let notifier: SystemdNotifier
    private let loader: ModelLoader
    private let minimumInterval: Duration

    init(notifier: SystemdNotifier, loader: ModelLoader, minimumInterval: Duration = .milliseconds(250)) {
        self.notifier = notifier
        self.loader = loader
        self.minimumInterval = minimumInterval
    }

    /// Sends status lines until the calling task is cancelled.
    func run() async {
        let (wakeUps, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let subscription = loader.subscribe { _ in continuation.yield() }
        defer {
            subscription.cancel()
            continuation.finish()
        }
        continuation.yield()
        var lastSent: String?
        for await _ in wakeUps {
            let line = SystemdStatusLine.make(loader.snapshot)
            guard line != lastSent else { continue }
            notifier.status(line)
            lastSent = line
            try? await Task.sleep(for: minimumInterval)  // waits out the rate limit before the next line
        }
    }
}
