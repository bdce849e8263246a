import EventLoop
import Testing
import TestSupport
@testable import WebSocket

/// Fan-out through `RoomHub` to the `LoopRooms` of real loops, stepped by hand (STYLE P10).
struct RoomHubTests {
    /// A room member that records what it was given, and may act during delivery.
    final class Recorder: RoomMember {
        var received: [RoomMessage] = []
        var onDeliver: ((EventLoop) -> Void)?
        var isFlushPending = false
        /// Messages received since the last flush, and the flushes done.
        var unflushed = 0
        var flushes = 0

        func queue(_ message: RoomMessage, now: LoopInstant, loop: EventLoop) -> Bool {
            received.append(message)
            unflushed += 1
            onDeliver?(loop)
            return true
        }

        func flush(loop: EventLoop) {
            flushes += 1
            unflushed = 0
        }

        /// The JSON payloads received, as text.
        var texts: [String] {
            received.map { String(decoding: $0.eventStream.buffer, as: UTF8.self) }
        }
    }

    /// `count` loops on manual clocks, attached to one hub, each with its rooms.
    final class Loops {
        let hub: RoomHub
        let loops: [EventLoop]
        let rooms: [LoopRooms]

        init(count: Int) throws {
            let hub = RoomHub()
            let loops = try (0..<count).map { index in
                try EventLoop(handle: EventLoopHandle(index: index), clock: ManualClock())
            }
            rooms = loops.map { WebSocketLoopContext.of($0, hub: hub).rooms }
            hub.attach(loops: loops.map(\.handle))
            self.hub = hub
            self.loops = loops
        }

        func runAll() {
            for loop in loops { loop.runUntilIdle() }
        }
    }

    static let framing = RoomMessageFraming()
    static let models = RoomName("models")

    static func message(_ text: String) -> RoomMessage {
        framing.make(Array(text.utf8), delivery: .mustDeliver)
    }

    @Test("publishing to a room nobody joined reaches no one")
    func emptyRoom() throws {
        let setup = try Loops(count: 1)
        #expect(setup.hub.publish(Self.message("{}"), to: Self.models) == 0)
        #expect(setup.hub.memberCount(of: Self.models) == 0)
    }

    @Test("a burst of messages arriving in one wake-up is queued whole, then flushed once per member")
    func burstIsFlushedOncePerMember() throws {
        let setup = try Loops(count: 1)
        let first = Recorder(), second = Recorder()
        setup.rooms[0].join(Self.models, first)
        setup.rooms[0].join(Self.models, second)
        for n in 1...5 { setup.hub.publish(Self.message(#"{"n":\#(n)}"#), to: Self.models) }
        setup.loops[0].runOnce(timeout: .zero)
        #expect(first.received.count == 5 && second.received.count == 5)
        #expect(first.flushes == 1 && second.flushes == 1)
        #expect(first.unflushed == 0 && second.unflushed == 0)

        setup.hub.publish(Self.message(#"{"n":6}"#), to: Self.models)
        setup.loops[0].runUntilIdle()
        #expect(first.flushes == 2 && first.received.count == 6)
        #expect(first.unflushed == 0)
    }

    @Test("a message reaches members on every loop, once each, when their loop runs")
    func fanOutAcrossLoops() throws {
        let setup = try Loops(count: 2)
        let first = Recorder(), second = Recorder(), third = Recorder(), outsider = Recorder()
        setup.rooms[0].join(Self.models, first)
        setup.rooms[1].join(Self.models, second)
        setup.rooms[1].join(Self.models, third)
        setup.rooms[1].join(RoomName("model:other"), outsider)
        #expect(setup.hub.memberCount(of: Self.models) == 3)

        #expect(setup.hub.publish(Self.message(#"{"n":1}"#), to: Self.models) == 3)
        // Delivery happens on each member's own loop, not on the publisher's thread.
        #expect(first.received.isEmpty && second.received.isEmpty)
        setup.loops[0].runUntilIdle()
        #expect(first.texts == ["data: {\"n\":1}\n\n"])
        #expect(second.received.isEmpty)
        setup.loops[1].runUntilIdle()
        #expect(second.texts == ["data: {\"n\":1}\n\n"])
        #expect(third.received.count == 1)
        #expect(outsider.received.isEmpty)
        // One framing for everyone: the members share the same frame object.
        #expect(first.received[0].plain === second.received[0].plain)
    }

    @Test("messages arrive in publish order")
    func publishOrder() throws {
        let setup = try Loops(count: 1)
        let member = Recorder()
        setup.rooms[0].join(Self.models, member)
        for index in 1...5 { setup.hub.publish(Self.message("{\"n\":\(index)}"), to: Self.models) }
        setup.runAll()
        #expect(member.texts == (1...5).map { "data: {\"n\":\($0)}\n\n" })
    }

    @Test("joining twice counts once; leaving stops delivery and the count")
    func joinAndLeave() throws {
        let setup = try Loops(count: 1)
        let member = Recorder()
        setup.rooms[0].join(Self.models, member)
        setup.rooms[0].join(Self.models, member)
        #expect(setup.hub.memberCount(of: Self.models) == 1)
        #expect(setup.hub.publish(Self.message("{}"), to: Self.models) == 1)
        setup.runAll()
        setup.rooms[0].leave(Self.models, member)
        setup.rooms[0].leave(Self.models, member)
        #expect(setup.hub.memberCount(of: Self.models) == 0)
        #expect(setup.hub.publish(Self.message("{}"), to: Self.models) == 0)
        setup.runAll()
        #expect(member.received.count == 1)
    }

    @Test("a member that leaves during delivery leaves right after it; others still get the message")
    func leaveDuringDelivery() throws {
        let setup = try Loops(count: 1)
        let rooms = setup.rooms[0]
        let members = (0..<4).map { _ in Recorder() }
        for member in members {
            rooms.join(Self.models, member)
            // Each one drops every member, itself included, as it receives.
            member.onDeliver = { _ in for other in members { rooms.leave(Self.models, other) } }
        }
        setup.hub.publish(Self.message(#"{"n":1}"#), to: Self.models)
        setup.runAll()
        #expect(members.allSatisfy { $0.received.count == 1 })
        #expect(setup.hub.memberCount(of: Self.models) == 0)
        setup.hub.publish(Self.message(#"{"n":2}"#), to: Self.models)
        setup.runAll()
        #expect(members.allSatisfy { $0.received.count == 1 })
    }

    @Test("a member joined during delivery gets the next message, not the current one")
    func joinDuringDelivery() throws {
        let setup = try Loops(count: 1)
        let rooms = setup.rooms[0]
        let host = Recorder(), guest = Recorder()
        rooms.join(Self.models, host)
        host.onDeliver = { _ in rooms.join(Self.models, guest) }
        setup.hub.publish(Self.message(#"{"n":1}"#), to: Self.models)
        setup.runAll()
        #expect(guest.received.isEmpty)
        #expect(setup.hub.memberCount(of: Self.models) == 2)
        setup.hub.publish(Self.message(#"{"n":2}"#), to: Self.models)
        setup.runAll()
        #expect(guest.texts == ["data: {\"n\":2}\n\n"])
        #expect(host.received.count == 2)
    }

    @Test("a message published before the last member left is not delivered to it after")
    func leaveBeforeLoopRuns() throws {
        let setup = try Loops(count: 1)
        let member = Recorder()
        setup.rooms[0].join(Self.models, member)
        #expect(setup.hub.publish(Self.message("{}"), to: Self.models) == 1)
        setup.rooms[0].leave(Self.models, member)
        setup.runAll()
        #expect(member.received.isEmpty)
    }

    @Test("a fan-out past one slice is written over several iterations; a message arriving mid-round joins the unwritten members' write")
    func slicedFlush() throws {
        let setup = try Loops(count: 1)
        let slice = LoopRooms.membersPerFlushSlice
        let members = (0..<(slice + 10)).map { _ in Recorder() }
        for member in members { setup.rooms[0].join(Self.models, member) }
        setup.hub.publish(Self.message(#"{"n":1}"#), to: Self.models)
        setup.loops[0].runOnce(timeout: .zero)
        // Everyone has it queued; one slice is written in this iteration, the rest waits.
        #expect(members.allSatisfy { $0.received.count == 1 })
        let written = members.filter { $0.flushes == 1 }
        let waiting = members.filter { $0.flushes == 0 }
        #expect(written.count == slice && waiting.count == 10)

        // The next publish is delivered before the round goes on: the members still waiting
        // take both messages in one write, those written already get a second write.
        setup.hub.publish(Self.message(#"{"n":2}"#), to: Self.models)
        setup.loops[0].runOnce(timeout: .zero)
        #expect(waiting.allSatisfy { $0.flushes == 1 && $0.unflushed == 0 && $0.received.count == 2 })
        #expect(written.allSatisfy { $0.flushes == 1 && $0.unflushed == 1 })
        setup.loops[0].runUntilIdle()
        #expect(written.allSatisfy { $0.flushes == 2 && $0.unflushed == 0 })
        #expect(members.allSatisfy { $0.texts == ["data: {\"n\":1}\n\n", "data: {\"n\":2}\n\n"] })
    }
}
