import EventLoop
import Logging
import Synchronization

/// Pings systemd's watchdog (`WATCHDOG=1`) only while every event loop is alive.
///
/// Policy: every tick (half of `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises) checks
/// that each loop ran the heartbeat closure posted to it on the previous tick; only then it
/// sends `WATCHDOG=1` and posts the next round. A loop that is wedged (a handler that never
/// returns, a blocking call) leaves its closure unrun, so the pings stop and systemd restarts
/// the service after `WatchdogSec=`. No new round is posted while one is outstanding, so a
/// wedged loop's queue does not grow; the stall is logged once as a warning, and pings resume
/// by themselves if the loop recovers.
final class SystemdWatchdog: Sendable {
    private let notifier: SystemdNotifier
    private let loops: [EventLoopHandle]
    private let logger: Logger
    private struct Rounds {
        /// The round last posted to the loops (0: none yet).
        var posted: UInt64 = 0
        /// The last round each loop ran.
        var ranByLoop: [UInt64]
        var isStallReported = false
    }
    private let rounds: Mutex<Rounds>

    init(notifier: SystemdNotifier, loops: [EventLoopHandle], logger: Logger) {
        self.notifier = notifier
        self.loops = loops
        self.logger = logger
        rounds = Mutex(Rounds(ranByLoop: Array(repeating: 0, count: loops.count)))
    }

    /// The ping interval systemd asks for, from `WATCHDOG_USEC` (half of it), or `nil` when the
    /// watchdog is off: the variable is absent, or `WATCHDOG_PID` names another process.
    static func pingInterval(environment: [String: String], pid: Int32) throws(SystemdError) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"] else { return nil }
        if let pidText = environment["WATCHDOG_PID"] {
            guard let owner = Int32(pidText), owner > 0 else { throw .invalidWatchdogPID(pidText) }
            guard owner == pid else { return nil }
        }
        guard let microseconds = UInt64(text), microseconds > 0 else { throw .invalidWatchdogUSec(text) }
        return .microseconds(microseconds / 2)
    }

    /// One heartbeat: pings and posts the next round if every loop ran the last one.
    /// Returns whether it pinged.
    @discardableResult
    func tick() -> Bool {
        let (round, stalled) = rounds.withLock { rounds -> (UInt64?, [Int]) in
            let stalled = rounds.ranByLoop.indices.filter { rounds.ranByLoop[$0] < rounds.posted }
            guard stalled.isEmpty else {
                defer { rounds.isStallReported = true }
                return (nil, rounds.isStallReported ? [] : stalled)
            }
            rounds.isStallReported = false
            rounds.posted += 1
            return (rounds.posted, [])
        }
        if !stalled.isEmpty {
            logger.warning("event loop stalled, watchdog pings stopped",
                           metadata: [LogKey.loop: "\(stalled.map(String.init).joined(separator: ","))"])
        }
        guard let round else { return false }
        notifier.watchdog()
        for (index, loop) in loops.enumerated() {
            loop.execute { [self] _ in
                rounds.withLock { $0.ranByLoop[index] = max($0.ranByLoop[index], round) }
            }
        }
        return true
    }

    /// Ticks every `interval` until the calling task is cancelled.
    func run(interval: Duration) async {
        let clock = ContinuousClock()
        var deadline = clock.now
        while !Task.isCancelled {
            tick()
            // Deadlines advance by the interval, so slow ticks do not make the period drift;
            // after a long pause (a stopped process) the schedule restarts instead of bursting.
            deadline = max(deadline.advanced(by: interval), clock.now)
            do {
                try await clock.sleep(until: deadline)  // waits for the next heartbeat
            } catch {
                return
            }
        }
    }
}
