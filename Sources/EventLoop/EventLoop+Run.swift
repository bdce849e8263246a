import CLinux
#if canImport(Glibc)
import Glibc
#endif

extension EventLoop {
    /// Runs iterations until `stop()` is called.
    public func run() {
        while !isStopRequested {
            runOnce(timeout: nil)
        }
        isStopRequested = false
    }

    /// Runs iterations without waiting until one finds nothing to do (tests, STYLE P10).
    /// Returns the number of iterations that did work.
    @discardableResult
    public func runUntilIdle(maxIterations: Int = 10_000) -> Int {
        var busy = 0
        while busy < maxIterations, runOnce(timeout: .zero) { busy += 1 }
        return busy
    }

    /// One iteration of the documented phase order. `timeout` nil waits for as long as the
    /// next deadline allows. Returns whether anything happened.
    @discardableResult
    public func runOnce(timeout: Duration?) -> Bool {
        let waitMilliseconds = computeWait(timeout)
        let count = waitForEvents(milliseconds: waitMilliseconds)
        var didWork = count > 0
        for i in 0..<count { dispatch(eventAt: i) }
        didWork = runCrossThreadTasks() || didWork
        didWork = runAfterTasksWork() || didWork
        didWork = fireDueTimers() || didWork
        didWork = finishCloses() || didWork
        return didWork
    }

    private func computeWait(_ timeout: Duration?) -> Int32 {
        // Work queued for after the tasks (by a timer or a close) must not wait for an event.
        if !afterTasks.isEmpty { return 0 }
        var wait: Int64 = timeout.map { max(0, ($0.nanosecondsClamped + 999_999) / 1_000_000) } ?? -1
        if let earliest = earliestTimerDeadline {
            let until = now.duration(to: earliest).nanosecondsClamped
            let milliseconds = (until + 999_999) / 1_000_000
            wait = wait < 0 ? milliseconds : min(wait, milliseconds)
        }
        return Int32(clamping: wait)
    }

    private func waitForEvents(milliseconds: Int32) -> Int {
        while true {
            let n = epoll_wait(epollFD, events.baseAddress, Int32(events.count), milliseconds)
            if n >= 0 { return Int(n) }
            let code = clinux_errno()
            if code == EINTR { continue }
            // A broken poller is the one I/O failure allowed to take the loop down (STYLE §5).
            fatalError("epoll_wait failed: \(SocketError("epoll_wait", errno: code))")
        }
    }

    private func dispatch(eventAt i: Int) {
        let event = events[i]
        let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: event.data.u64))
        if fd == handle.wakeFD {
            handle.drainWakeups()
            return
        }
        let registration = Registration(fd: fd, generation: UInt32(truncatingIfNeeded: event.data.u64 >> 32))
        guard let handler = handler(for: registration) else { return }
        var ready: PollEvents = []
        if event.events & (EPOLLIN.rawValue | EPOLLPRI.rawValue) != 0 { ready.insert(.readable) }
        if event.events & EPOLLOUT.rawValue != 0 { ready.insert(.writable) }
        if event.events & (EPOLLHUP.rawValue | EPOLLRDHUP.rawValue) != 0 { ready.insert(.hangup) }
        if event.events & EPOLLERR.rawValue != 0 { ready.insert(.error) }
        handler.handleEvent(ready, loop: self)
    }
}
