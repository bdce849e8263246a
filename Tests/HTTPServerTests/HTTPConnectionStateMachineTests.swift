import EventLoop
import HTTPServer
import Testing

struct HTTPConnectionStateMachineTests {
    let start = LoopInstant(nanoseconds: 1_000_000_000)
    var limits: HTTPLimits {
        var limits = HTTPLimits()
        limits.headerReadTimeout = .seconds(10)
        limits.idleTimeout = .seconds(60)
        limits.bodyReadTimeout = .seconds(30)
        limits.writeTimeout = .seconds(20)
        return limits
    }

    @Test("given an idle connection, when the idle timeout passes, it closes silently")
    func idleTimeoutCloses() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        #expect(machine.deadline == start.advanced(by: .seconds(60)))
        #expect(machine.deadlineReached(at: start.advanced(by: .seconds(59))) == .armDeadline(start.advanced(by: .seconds(60))))
        #expect(machine.deadlineReached(at: start.advanced(by: .seconds(60))) == .closeConnection)
    }

    @Test("given a partial head, when the header timeout passes, it answers 408")
    func slowHeadTimesOut() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        let firstByte = start.advanced(by: .seconds(5))
        #expect(machine.requestBytesArrived(at: firstByte) == .armDeadline(firstByte.advanced(by: .seconds(10))))
        #expect(machine.deadlineReached(at: firstByte.advanced(by: .seconds(10))) == .rejectTimedOutRequest)
        #expect(machine.state == .closing)
    }

    @Test("given a complete head, the header timeout gives way to the body-read timeout")
    func completeHeadStopsHeaderTimer() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        _ = machine.requestBytesArrived(at: start)
        let headEnd = start.advanced(by: .seconds(9))
        machine.headReceived(at: headEnd)
        #expect(machine.deadline == headEnd.advanced(by: .seconds(30)))
        #expect(machine.deadlineReached(at: start.advanced(by: .seconds(10))) == .armDeadline(headEnd.advanced(by: .seconds(30))))
        #expect(machine.state == .receiving(startedAt: start, headCompletedAt: headEnd))
    }

    @Test("given a keep-alive response, the connection returns to idle with a fresh idle deadline")
    func keepAliveReturnsToIdle() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        _ = machine.requestBytesArrived(at: start)
        machine.headReceived(at: start)
        machine.requestDispatched()
        let later = start.advanced(by: .seconds(30))
        let keptAlive = machine.responseQueued(keepAlive: true, at: later)
        #expect(keptAlive)
        #expect(machine.deadline == later.advanced(by: .seconds(60)))
    }

    @Test("given a drain while a request is in flight, the response closes the connection")
    func drainClosesAfterResponse() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        _ = machine.requestBytesArrived(at: start)
        machine.requestDispatched()
        #expect(machine.drainRequested() == .none)
        let keptAlive = machine.responseQueued(keepAlive: true, at: start)
        #expect(keptAlive == false)
        #expect(machine.state == .closing)
    }

    @Test("given a drain with pipelined requests already read, the connection stays open for them")
    func drainKeepsConnectionForPipelinedRequests() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        _ = machine.requestBytesArrived(at: start)
        machine.requestDispatched()
        #expect(machine.drainRequested() == .none)
        let keptForPipeline = machine.responseQueued(keepAlive: true, requestBytesWaiting: true, at: start)
        #expect(keptForPipeline)
        #expect(machine.state == .idle(since: start))
        _ = machine.requestBytesArrived(at: start)
        machine.requestDispatched()
        let keptAfterLast = machine.responseQueued(keepAlive: true, requestBytesWaiting: false, at: start)
        #expect(keptAfterLast == false)
        #expect(machine.state == .closing)
    }

    @Test("given a drain while idle, the connection closes at once")
    func drainClosesIdleConnection() {
        var machine = HTTPConnectionStateMachine(limits: limits, now: start)
        #expect(machine.drainRequested() == .closeConnection)
    }
}
