import EventLoop
import Testing
import TestSupport
@testable import WebSocket

/// The hub's `WebSocketCounters`, which the application publishes as metrics: open
/// connections, frames written, progress coalesced and slow subscribers closed.
struct WebSocketCountersTests {
    typealias Harness = WebSocketConnectionTests.Harness
    typealias Slow = WebSocketConnectionSlowConsumerTests

    @Test("a connection counts as open until it closes, and every frame it writes is counted")
    func openConnectionAndFramesAreCounted() throws {
        let harness = try Harness(kind: .rooms(Harness.openPolicy(hub: RoomHub())), rooms: [Slow.room.value])
        let counters = harness.hub.counters
        #expect(counters.openConnections == 1)
        for index in 1...3 {
            harness.hub.publish(Slow.framing.make(Array("{\"n\":\(index)}".utf8), delivery: .mustDeliver), to: Slow.room)
            harness.loop.runUntilIdle()
        }
        #expect(try harness.receive().frames.count == 3)
        #expect(counters.framesSent == 3)
        try harness.send(.close, [0x03, 0xE8])
        #expect(try harness.receive().isClosed)
        #expect(counters.framesSent == 4)
        #expect(counters.openConnections == 0)
        #expect(counters.messagesCoalesced == 0 && counters.slowConnectionsClosed == 0)
    }

    @Test("every published progress message is either written or counted as coalesced")
    func coalescedProgressIsCounted() throws {
        let harness = try Slow.slowHarness()
        let published = 500
        for index in 1...published {
            harness.hub.publish(Slow.progress(index), to: Slow.room)
            harness.loop.runUntilIdle()
        }
        let received = try harness.drain()
        let counters = harness.hub.counters
        #expect(counters.messagesCoalesced > 0)
        #expect(counters.framesSent == received.frames.count)
        #expect(counters.framesSent + counters.messagesCoalesced == published)
        #expect(counters.slowConnectionsClosed == 0)
    }

    @Test("a subscriber closed with 1013 is counted once and no longer open")
    func slowCloseIsCounted() throws {
        let harness = try Slow.slowHarness()
        let padding = String(repeating: "y", count: 2000)
        var published = 0
        while harness.hub.counters.slowConnectionsClosed == 0 && published < 200 {
            published += 1
            harness.hub.publish(Slow.framing.make(Array("{\"n\":\(published),\"pad\":\"\(padding)\"}".utf8),
                                                  delivery: .mustDeliver), to: Slow.room)
            harness.loop.runUntilIdle()
        }
        #expect(harness.hub.counters.slowConnectionsClosed == 1)
        #expect(try harness.drain().isClosed)
        #expect(harness.hub.counters.openConnections == 0)
    }

    @Test("event-stream slots: taken up to the limit, refused past it, given back on close")
    func eventStreamSlots() {
        let counters = WebSocketCounters()
        #expect(counters.tryOpenEventStream(limit: 2))
        #expect(counters.tryOpenEventStream(limit: 2))
        #expect(!counters.tryOpenEventStream(limit: 2))
        #expect(counters.openEventStreams == 2)
        counters.eventStreamClosed()
        #expect(counters.tryOpenEventStream(limit: 2))
        #expect(!counters.tryOpenEventStream(limit: 2))
    }

    @Test("threads racing for event-stream slots never take more than the limit together")
    func eventStreamSlotsUnderContention() async {
        let counters = WebSocketCounters()
        let taken = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<1000).reduce(0) { sum, _ in sum + (counters.tryOpenEventStream(limit: 100) ? 1 : 0) } }
            }
            return await group.reduce(0, +)
        }
        #expect(taken == 100)
        #expect(counters.openEventStreams == 100)
    }
}
