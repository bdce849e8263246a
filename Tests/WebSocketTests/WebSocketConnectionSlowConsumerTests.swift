import EventLoop
@testable import HTTPServer
import Testing
import TestSupport
@testable import WebSocket

/// The slow-subscriber policy end to end on one connection (DESIGN §1.4): a client that does
/// not read gets its progress coalesced past the soft limit and is closed with 1013 past the
/// hard one, while publishing never blocks.
struct WebSocketConnectionSlowConsumerTests {
    typealias Harness = WebSocketConnectionTests.Harness
    static let room = RoomName("model:m")
    static let framing = RoomMessageFraming()

    /// Soft 16 KiB, hard 64 KiB, over tiny socket buffers, so a few dozen 1 KiB messages fill
    /// the socket and the queue.
    static func slowHarness() throws -> Harness {
        var limits = OutboundLimits()
        limits.softBytes = 16 << 10
        limits.hardBytes = 64 << 10
        return try Harness(kind: .rooms(Harness.openPolicy(hub: RoomHub())), outboundLimits: limits,
                           rooms: [room.value], socketBufferBytes: 4096)
    }

    /// A progress-like message of about 1 KiB numbered `index`, replaceable under one key.
    static func progress(_ index: Int) -> RoomMessage {
        let padding = String(repeating: "x", count: 1000)
        return framing.make(Array("{\"n\":\(index),\"pad\":\"\(padding)\"}".utf8), delivery: .replaceable(key: "progress:m"))
    }

    static func number(_ frame: WebSocketFrame) -> Int? {
        let text = String(decoding: frame.payload, as: UTF8.self)
        guard text.hasPrefix("{\"n\":"), let end = text.firstIndex(of: ",") else { return nil }
        return Int(text[text.index(text.startIndex, offsetBy: 5)..<end])
    }

    @Test("a client that does not read gets fewer progress frames than were sent, ending with the newest")
    func progressIsCoalesced() throws {
        let harness = try Self.slowHarness()
        let sent = 500
        for index in 1...sent {
            #expect(harness.hub.publish(Self.progress(index), to: Self.room) == 1)
            harness.loop.runUntilIdle()
        }
        // 500 KiB were published; the queue holds about the soft limit plus the newest.
        let queued = try #require(harness.connection).outbound.queuedBytes
        #expect(queued <= (16 << 10) + 2048)
        let received = try harness.drain()
        #expect(received.isClosed == false)
        let numbers = received.frames.compactMap(Self.number)
        #expect(numbers.count == received.frames.count)
        #expect(numbers.count < sent / 4)
        #expect(numbers.last == sent)
        #expect(numbers == numbers.sorted())
        #expect(harness.hub.counters.slowConnectionsClosed == 0)
    }

    @Test("must-deliver messages past the hard limit close the connection with 1013 after what was on the wire")
    func hardLimitCloses1013() throws {
        let harness = try Self.slowHarness()
        let padding = String(repeating: "y", count: 2000)
        var published = 0
        while harness.hub.counters.slowConnectionsClosed == 0 && published < 200 {
            published += 1
            let json = Array("{\"n\":\(published),\"pad\":\"\(padding)\"}".utf8)
            harness.hub.publish(Self.framing.make(json, delivery: .mustDeliver), to: Self.room)
            harness.loop.runUntilIdle()
        }
        // Far fewer than 200 × 2 KiB fit under a 64 KiB queue plus the socket buffers.
        #expect(published < 60)
        #expect(harness.hub.counters.slowConnectionsClosed == 1)
        let received = try harness.drain()
        let close = try #require(received.frames.last)
        #expect(close.opcode == .close)
        #expect(Array(close.payload.prefix(2)) == [0x03, 0xF5])
        #expect(String(decoding: close.payload.dropFirst(2), as: UTF8.self) == CloseReason.outboundLimitExceeded.text)
        // What arrived before the close are whole messages, in order, without gaps at the start.
        let numbers = received.frames.dropLast().compactMap(Self.number)
        #expect(numbers.count == received.frames.count - 1)
        #expect(numbers == Array(1...numbers.count))
        #expect(received.isClosed)
        #expect(harness.http.openConnections == 0)
        #expect(harness.hub.memberCount(of: Self.room) == 0)
    }

    @Test("lifecycle messages among coalesced progress all arrive, in order")
    func lifecycleSurvivesCoalescing() throws {
        let harness = try Self.slowHarness()
        for index in 1...300 {
            let message: RoomMessage
            if index % 50 == 0 {
                message = Self.framing.make(Array("{\"n\":\(index),\"lifecycle\":true}".utf8), delivery: .mustDeliver)
            } else {
                message = Self.progress(index)
            }
            harness.hub.publish(message, to: Self.room)
            harness.loop.runUntilIdle()
        }
        let received = try harness.drain()
        let numbers = received.frames.compactMap(Self.number)
        for lifecycle in stride(from: 50, through: 300, by: 50) { #expect(numbers.contains(lifecycle)) }
        #expect(numbers.count < 150)
        #expect(numbers.last == 300)
        // Coalescing swaps a progress in place: numbers may only grow, never go back.
        #expect(numbers == numbers.sorted())
    }
}
