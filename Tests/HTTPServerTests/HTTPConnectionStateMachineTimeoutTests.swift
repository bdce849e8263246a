import EventLoop
import HTTPServer
import Testing

/// The body-read and write timeouts of `HTTPConnectionStateMachine`, on a clock the test
/// passes in.
struct HTTPConnectionStateMachineTimeoutTests {
    let start = LoopInstant(nanoseconds: 1_000_000_000)
    var limits: HTTPLimits {
        var limits = HTTPLimits()
        limits.headerReadTimeout = .seconds(10)
        limits.idleTimeout = .seconds(60)
        limits.bodyReadTimeout = .seconds(30)
        limits.writeTimeout = .seconds(20)
        return limits
    }

    /// A machine whose request head completed at `headEnd`, its body still to come.
    func machineAwaitingBody(headEnd: LoopInstant) -> HTTPConnectionStateMachine {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        _ = machine.requestBytesArrived(at: start)
        machine.headReceived(at: headEnd)
        return machine
    }

    @Test("given a head but no body, when the body-read timeout passes, it answers 408 for the body")
    func bodyTimeoutRejects() {
        let headEnd = start.advanced(by: .seconds(4))
        var machine = machineAwaitingBody(headEnd: headEnd)
        #expect(machine.deadline == headEnd.advanced(by: .seconds(30)))
        #expect(machine.deadlineReached(at: headEnd.advanced(by: .milliseconds(29_999))) == .armDeadline(headEnd.advanced(by: .seconds(30))))
        #expect(machine.state == .receiving(startedAt: start, headCompletedAt: headEnd))
        #expect(machine.deadlineReached(at: headEnd.advanced(by: .seconds(30))) == .rejectTimedOutBody)
        #expect(machine.state == .closing)
    }

    @Test("the body-read timeout counts from the head's end, not from the request's first byte")
    func bodyTimeoutStartsAtHeadEnd() {
        // The head took 9 of its 10 s; the body still gets its full 30 s.
        let headEnd = start.advanced(by: .seconds(9))
        var machine = machineAwaitingBody(headEnd: headEnd)
        #expect(machine.deadlineReached(at: start.advanced(by: .seconds(30))) == .armDeadline(headEnd.advanced(by: .seconds(30))))
        #expect(machine.deadlineReached(at: headEnd.advanced(by: .seconds(30))) == .rejectTimedOutBody)
    }

    @Test("a body that completes in time leaves no body deadline behind")
    func completedBodyClearsDeadline() {
        var machine = machineAwaitingBody(headEnd: start)
        machine.requestDispatched()
        #expect(machine.deadline == nil)
        #expect(machine.deadlineReached(at: start.advanced(by: .seconds(100))) == .none)
        let answered = start.advanced(by: .seconds(1))
        let keptAlive = machine.responseQueued(keepAlive: true, at: answered)
        #expect(keptAlive)
        #expect(machine.deadline == answered.advanced(by: .seconds(60)))
    }

    @Test("a head that never completes still gets the header timeout's 408, not the body's")
    func headTimeoutUnchanged() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        #expect(machine.requestBytesArrived(at: start) == .armDeadline(start.advanced(by: .seconds(10))))
        #expect(machine.deadlineReached(at: start.advanced(by: .seconds(10))) == .rejectTimedOutRequest)
    }

    @Test("output that waits with no byte taken for the write timeout closes the connection")
    func stalledWriteCloses() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        _ = machine.requestBytesArrived(at: start)
        machine.headReceived(at: start)
        machine.requestDispatched()
        _ = machine.responseQueued(keepAlive: true, at: start)
        let blocked = start.advanced(by: .seconds(1))
        #expect(machine.outputBlocked(progressed: true, at: blocked) == .armDeadline(blocked.advanced(by: .seconds(20))))
        #expect(machine.writeStalledSince == blocked)
        // Retrying without progress does not restart the clock.
        #expect(machine.outputBlocked(progressed: false, at: blocked.advanced(by: .seconds(5))) == .armDeadline(blocked.advanced(by: .seconds(20))))
        #expect(machine.deadlineReached(at: blocked.advanced(by: .milliseconds(19_999))) == .armDeadline(blocked.advanced(by: .seconds(20))))
        #expect(machine.deadlineReached(at: blocked.advanced(by: .seconds(20))) == .closeStalledConnection)
        #expect(machine.state == .closing)
    }

    @Test("every byte the socket takes restarts the write clock")
    func progressRestartsWriteClock() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        _ = machine.outputBlocked(progressed: false, at: start)
        let progress = start.advanced(by: .seconds(15))
        #expect(machine.outputBlocked(progressed: true, at: progress) == .armDeadline(progress.advanced(by: .seconds(20))))
        #expect(machine.deadlineReached(at: start.advanced(by: .seconds(20))) == .armDeadline(progress.advanced(by: .seconds(20))))
        #expect(machine.state == .idle(since: start))
    }

    @Test("drained output stops the write clock and restarts the idle clock")
    func drainedOutputClearsWriteClock() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        _ = machine.outputBlocked(progressed: true, at: start)
        #expect(machine.deadline == start.advanced(by: .seconds(20)))
        let drained = start.advanced(by: .seconds(10))
        machine.outputDrained(at: drained)
        #expect(machine.writeStalledSince == nil)
        #expect(machine.deadline == drained.advanced(by: .seconds(60)))
        #expect(machine.deadlineReached(at: start.advanced(by: .seconds(20))) == .armDeadline(drained.advanced(by: .seconds(60))))
    }

    @Test("a connection whose response is still leaving is not idle: a slow reader outlives the idle timeout")
    func slowOutputIsNotIdle() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        var now = start
        _ = machine.outputBlocked(progressed: true, at: now)
        // Progress every 15 s for 5 minutes, far past the 60 s idle timeout.
        for _ in 0..<20 {
            now = now.advanced(by: .seconds(15))
            #expect(machine.deadlineReached(at: now) == .armDeadline(machine.deadline!))
            _ = machine.outputBlocked(progressed: true, at: now)
        }
        #expect(machine.state == .idle(since: start))
        machine.outputDrained(at: now)
        #expect(machine.deadlineReached(at: now.advanced(by: .seconds(60))) == .closeConnection)
    }

    @Test("a stalled write times out even while a handler is still producing a response")
    func stalledWriteWhileAwaitingResponse() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        _ = machine.requestBytesArrived(at: start)
        machine.headReceived(at: start)
        machine.requestDispatched()
        #expect(machine.deadline == nil)
        _ = machine.outputBlocked(progressed: false, at: start)
        #expect(machine.deadline == start.advanced(by: .seconds(20)))
        #expect(machine.deadlineReached(at: start.advanced(by: .seconds(20))) == .closeStalledConnection)
    }

    @Test("the earlier of the state's deadline and the write deadline wins")
    func earlierDeadlineWins() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        // A pipelined request's head trickles in while the last response cannot leave.
        _ = machine.outputBlocked(progressed: false, at: start)
        _ = machine.requestBytesArrived(at: start)
        #expect(machine.deadline == start.advanced(by: .seconds(10)))
        // The header deadline fires first: 408, queued behind the stalled output.
        #expect(machine.deadlineReached(at: start.advanced(by: .seconds(10))) == .rejectTimedOutRequest)
        // The output never leaves: the write timeout cuts it.
        #expect(machine.deadlineReached(at: start.advanced(by: .seconds(20))) == .closeStalledConnection)
    }
}
