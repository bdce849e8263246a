import EventLoop
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Records what the loop told it.
final class RecordingHandler: EventHandler {
    var events: [PollEvents] = []
    var deadlines: [LoopInstant] = []
    var onEvent: ((EventLoop) -> Void)?

    func handleEvent(_ events: PollEvents, loop: EventLoop) {
        self.events.append(events)
        onEvent?(loop)
    }

    func deadlineReached(at now: LoopInstant, loop: EventLoop) {
        deadlines.append(now)
    }
}

struct EventLoopTests {
    @Test("work queued with runAfterTasks runs once, after every task of the same iteration")
    func afterTasksWorkRunsAfterTheIterationsTasks() throws {
        let loop = try EventLoop(clock: ManualClock())
        let order = Mutex<[String]>([])
        loop.handle.execute { loop in
            order.withLock { $0.append("task 1") }
            loop.runAfterTasks { loop in
                order.withLock { $0.append("after") }
                loop.runAfterTasks { _ in order.withLock { $0.append("after, queued by after") } }
            }
        }
        loop.handle.execute { _ in order.withLock { $0.append("task 2") } }
        #expect(loop.runOnce(timeout: .zero))
        #expect(order.withLock { $0 } == ["task 1", "task 2", "after"])
        loop.runUntilIdle()
        #expect(order.withLock { $0 } == ["task 1", "task 2", "after", "after, queued by after"])
    }

    @Test("a readable socket is dispatched to its handler")
    func readableSocketIsDispatched() throws {
        let loop = try EventLoop(clock: ManualClock())
        let pair = try SocketPair.make()
        let handler = RecordingHandler()
        _ = try loop.register(pair.server, interest: .readable, handler: handler)
        loop.runUntilIdle()
        #expect(handler.events.isEmpty)
        try RawSocket.write(pair.client, "x")
        loop.runOnce(timeout: .zero)
        #expect(handler.events.first?.contains(.readable) == true)
        close(pair.client)
    }

    @Test("an event for a closed registration in the same batch is dropped")
    func staleGenerationIsIgnored() throws {
        let loop = try EventLoop(clock: ManualClock())
        let first = try SocketPair.make()
        let second = try SocketPair.make()
        let a = RecordingHandler()
        let b = RecordingHandler()
        let registrationA = try loop.register(first.server, interest: .readable, handler: a)
        let registrationB = try loop.register(second.server, interest: .readable, handler: b)
        // Whichever handler runs first closes the other: the other's queued event is stale.
        a.onEvent = { loop in loop.deregister(registrationB) }
        b.onEvent = { loop in loop.deregister(registrationA) }
        try RawSocket.write(first.client, "x")
        try RawSocket.write(second.client, "y")
        loop.runOnce(timeout: .zero)
        #expect(a.events.count + b.events.count == 1)
        #expect(loop.isCurrent(registrationA) != loop.isCurrent(registrationB))
        close(first.client)
        close(second.client)
    }

    @Test("a deadline fires only once the manual clock passes it")
    func deadlineFiresWhenClockAdvances() throws {
        let clock = ManualClock()
        let loop = try EventLoop(clock: clock)
        let pair = try SocketPair.make()
        let handler = RecordingHandler()
        let registration = try loop.register(pair.server, interest: .readable, handler: handler)
        loop.armDeadline(clock.now().advanced(by: .seconds(10)), for: registration)
        clock.advance(by: .seconds(9))
        loop.runUntilIdle()
        #expect(handler.deadlines.isEmpty)
        clock.advance(by: .seconds(1))
        loop.runUntilIdle()
        #expect(handler.deadlines.count == 1)
        close(pair.client)
    }

    @Test("deadlines fire in order and a deregistered handler's deadline is dropped")
    func deadlinesFireInOrder() throws {
        let clock = ManualClock()
        let loop = try EventLoop(clock: clock)
        var fired: [Int] = []
        let start = clock.now()
        for n in [3, 1, 2] { loop.schedule(at: start.advanced(by: .seconds(n))) { fired.append(n) } }
        let pair = try SocketPair.make()
        let handler = RecordingHandler()
        let registration = try loop.register(pair.server, interest: .readable, handler: handler)
        loop.armDeadline(start.advanced(by: .seconds(1)), for: registration)
        loop.deregister(registration)
        clock.advance(by: .seconds(5))
        loop.runUntilIdle()
        #expect(fired == [1, 2, 3])
        #expect(handler.deadlines.isEmpty)
        close(pair.client)
    }

    @Test("a task queued from another thread runs on the loop and wakes it")
    func crossThreadTaskWakesLoop() throws {
        let handle = try EventLoopHandle(index: 0)
        let ran = Atomic<Int>(0)
        let thread = LoopThread(name: "test-loop") {
            guard let loop = try? EventLoop(handle: handle) else { return }
            loop.run()
        }
        for _ in 0..<100 { handle.execute { _ in ran.add(1, ordering: .relaxed) } }
        handle.execute { loop in loop.stop() }
        thread.join()
        #expect(ran.load(ordering: .relaxed) == 100)
    }

    @Test("deregisterClosingSoleDescriptor drops later events at once and closes at the iteration's end")
    func soleDescriptorIsClosedWithoutEpollDelete() throws {
        let loop = try EventLoop(clock: ManualClock())
        let pair = try SocketPair.make()
        let handler = RecordingHandler()
        let registration = try loop.register(pair.server, interest: .readable, handler: handler)
        handler.onEvent = { loop in
            var byte: UInt8 = 0
            _ = recv(pair.server, &byte, 1, 0)  // read, so the close is an orderly EOF
            loop.deregisterClosingSoleDescriptor(registration)
        }
        try RawSocket.write(pair.client, "x")
        loop.runOnce(timeout: .zero)
        #expect(handler.events.count == 1)
        #expect(!loop.isCurrent(registration))
        #expect(fcntl(pair.server, F_GETFD) == -1)  // closed by the iteration's last phase
        let (_, isClosed) = try RawSocket.readAvailable(pair.client)
        #expect(isClosed)
        // The closed descriptor left the epoll set with its close: nothing more is reported.
        #expect(loop.runUntilIdle() == 0)
        #expect(handler.events.count == 1)
        close(pair.client)
    }
}
