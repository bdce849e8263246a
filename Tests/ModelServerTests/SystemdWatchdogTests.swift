import EventLoop
import Logging
import Testing
import TestSupport

@testable import ModelServer

struct SystemdWatchdogTests {
    private let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test("the ping interval is half of WATCHDOG_USEC")
    func intervalIsHalfTheTimeout() throws {
        #expect(try SystemdWatchdog.pingInterval(environment: ["WATCHDOG_USEC": "400000"], pid: 5) == .milliseconds(200))
        #expect(try SystemdWatchdog.pingInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "5"], pid: 5)
            == .seconds(15))
    }

    @Test("the watchdog is off without WATCHDOG_USEC or when WATCHDOG_PID names another process")
    func watchdogOff() throws {
        #expect(try SystemdWatchdog.pingInterval(environment: [:], pid: 5) == nil)
        #expect(try SystemdWatchdog.pingInterval(environment: ["WATCHDOG_USEC": "400000", "WATCHDOG_PID": "6"], pid: 5) == nil)
    }

    @Test("malformed watchdog variables are errors")
    func malformedVariables() {
        #expect(throws: SystemdError.invalidWatchdogUSec("0")) {
            try SystemdWatchdog.pingInterval(environment: ["WATCHDOG_USEC": "0"], pid: 5)
        }
        #expect(throws: SystemdError.invalidWatchdogUSec("15s")) {
            try SystemdWatchdog.pingInterval(environment: ["WATCHDOG_USEC": "15s"], pid: 5)
        }
        #expect(throws: SystemdError.invalidWatchdogPID("me")) {
            try SystemdWatchdog.pingInterval(environment: ["WATCHDOG_USEC": "1000", "WATCHDOG_PID": "me"], pid: 5)
        }
    }

    @Test("the timeout is logged as WatchdogSec= would say it")
    func timeoutDescription() {
        #expect(SystemdSession.describeTimeout(pingInterval: .seconds(15)) == "30s")
        #expect(SystemdSession.describeTimeout(pingInterval: .milliseconds(200)) == "400ms")
    }

    @Test("given a loop that has not run the last heartbeat, pings stop until it does")
    func wedgedLoopStopsPings() throws {
        let receiver = try NotifyReceiver(abstract: true)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket], logger: logger)
        let loops = [try EventLoop(clock: ManualClock()), try EventLoop(clock: ManualClock())]
        let watchdog = SystemdWatchdog(notifier: notifier, loops: loops.map(\.handle), logger: logger)

        #expect(watchdog.tick())
        #expect(receiver.drain() == ["WATCHDOG=1"])
        // Neither loop has run its heartbeat closure yet.
        #expect(!watchdog.tick())
        loops[0].runOnce(timeout: .zero)
        #expect(!watchdog.tick())
        #expect(receiver.drain().isEmpty)
        // The second loop catches up: the next tick pings and posts a new round.
        loops[1].runOnce(timeout: .zero)
        #expect(watchdog.tick())
        #expect(receiver.drain() == ["WATCHDOG=1"])
        for loop in loops { loop.runOnce(timeout: .zero) }
        #expect(watchdog.tick())
        #expect(receiver.drain() == ["WATCHDOG=1"])
    }
}
