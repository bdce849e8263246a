import EventLoop
@testable import HTTPServer
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The start line of a server's loops (`LoopStartGate`): no loop serves before every loop
/// exists, and one that could not be made stops them all.
struct LoopStartGateTests {
    final class Outcomes: Sendable {
        let mayRun = Mutex<[Bool]>([])
    }

    func run(failing: Set<Int>, loops: Int) -> (SocketError?, [Bool]) {
        let gate = LoopStartGate()
        let outcomes = Outcomes()
        let threads = (0..<loops).map { index in
            LoopThread(name: "gate-\(index)") {
                let error = failing.contains(index) ? SocketError("epoll_create1", errno: EMFILE) : nil
                let mayRun = gate.arrive(failedWith: error)
                outcomes.mayRun.withLock { $0.append(mayRun) }
            }
        }
        let failure = gate.releaseAll(arrived: loops)
        for thread in threads { thread.join() }
        return (failure, outcomes.mayRun.withLock { $0 })
    }

    @Test("when every loop is made, all run and start learns of no failure")
    func allReady() {
        let (failure, mayRun) = run(failing: [], loops: 3)
        #expect(failure == nil)
        #expect(mayRun == [true, true, true])
    }

    @Test("when one loop cannot be made, none runs and start gets that loop's error")
    func oneFails() {
        let (failure, mayRun) = run(failing: [1], loops: 3)
        #expect(failure == SocketError("epoll_create1", errno: EMFILE))
        #expect(mayRun == [false, false, false])
    }

    @Test("a loop waits at the line until start releases it")
    func waitsForRelease() {
        let gate = LoopStartGate()
        let outcomes = Outcomes()
        let thread = LoopThread(name: "gate-wait") {
            let mayRun = gate.arrive()
            outcomes.mayRun.withLock { $0.append(mayRun) }
        }
        // Given the time to pass the line if it could; it must not have.
        usleep(50_000)
        #expect(outcomes.mayRun.withLock { $0.isEmpty })
        #expect(gate.releaseAll(arrived: 1) == nil)
        thread.join()
        #expect(outcomes.mayRun.withLock { $0 } == [true])
    }
}
