import EventLoop
import Logging
import ModelLoading
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's side of the systemd service protocol for one run (DESIGN §1.9), built from
/// the environment systemd gives a `Type=notify-reload` service.
///
/// Order: `READY=1` as soon as the listeners are open (`listenersOpened`), before any model
/// is ready, since readiness for traffic is `/readyz`'s job; from then on `STATUS=` follows
/// the loads (`SystemdStatusReporter`) and, with `WatchdogSec=`, `WATCHDOG=1` follows the
/// event loops (`SystemdWatchdog`); `STOPPING=1` when shutdown starts (`shutdownStarted`),
/// which also ends the status updates and the pings. A configuration reload is framed by
/// `notifier.reloading()` and `notifier.ready()`. Without `NOTIFY_SOCKET` all of it is off.
final class SystemdSession: Sendable {
    /// Sends the notifications.
    let notifier: SystemdNotifier
    /// How often the watchdog is pinged (half of `WATCHDOG_USEC`); `nil` when it is off.
    let watchdogInterval: Duration?
    private let logger: Logger
    private let tasks = Mutex<[Task<Void, Never>]>([])

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`; logs one line
    /// `systemd notify socket=... watchdog=...` when notifications are on.
    init(environment: [String: String], logger: Logger) {
        self.logger = logger
        notifier = SystemdNotifier(environment: environment, logger: logger)
        var interval: Duration?
        if let address = notifier.address {
            do {
                interval = try SystemdWatchdog.pingInterval(environment: environment, pid: getpid())
            } catch {
                logger.warning("systemd watchdog disabled", metadata: [LogKey.reason: "\(error)"])
            }
            logger.info("systemd notify", metadata: [LogKey.socket: "\(address.text)",
                                                     LogKey.watchdog: "\(interval.map { Self.describeTimeout(pingInterval: $0) } ?? "off")"])
        }
        watchdogInterval = interval
    }

    /// The listeners are open: sends `READY=1`, then starts the status updates and, if
    /// asked for, the watchdog pings over `loops`.
    func listenersOpened(loader: ModelLoader, loops: [EventLoopHandle]) {
        guard notifier.isEnabled else { return }
        notifier.ready()
        let reporter = SystemdStatusReporter(notifier: notifier, loader: loader)
        var started = [Task { await reporter.run() }]
        if let watchdogInterval {
            let watchdog = SystemdWatchdog(notifier: notifier, loops: loops, logger: logger)
            started.append(Task { await watchdog.run(interval: watchdogInterval) })
        }
        tasks.withLock { $0 = started }
    }

    /// Shutdown has started: sends `STOPPING=1` and ends the status updates and the pings
    /// (systemd stops watching once the service is stopping; draining loops are not stalled).
    func shutdownStarted() {
        notifier.stopping()
        let running = tasks.withLock { tasks in
            defer { tasks = [] }
            return tasks
        }
        for task in running { task.cancel() }
    }

    /// The watchdog timeout as `WatchdogSec=` would say it: `30s`, or `400ms`.
    static func describeTimeout(pingInterval: Duration) -> String {
        let milliseconds = (pingInterval * 2).components.seconds * 1_000 + (pingInterval * 2).components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1_000 == 0 ? "\(milliseconds / 1_000)s" : "\(milliseconds)ms"
    }
}
