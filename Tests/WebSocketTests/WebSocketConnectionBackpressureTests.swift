import EventLoop
@testable import HTTPServer
import Testing
import TestSupport
@testable import WebSocket

/// Backpressure on the frames a connection makes itself (DESIGN §1.8): a client that sends
/// pings, bad commands or echo messages and never reads makes the server stop reading once
/// the queue is past the soft limit; the queue stays bounded; reading resumes when the client
/// reads, and nothing is lost.
struct WebSocketConnectionBackpressureTests {
    typealias Harness = WebSocketConnectionTests.Harness
    static let softBytes = 16 << 10

    static func harness(_ kind: WebSocketEndpoint.Kind) throws -> Harness {
        var limits = OutboundLimits()
        limits.softBytes = softBytes
        limits.hardBytes = 64 << 10
        return try Harness(kind: kind, limits: WebSocketLimits(pingInterval: .seconds(10)), outboundLimits: limits,
                           socketBufferBytes: 4096)
    }

    /// `count` masked frames made by `frame(index)`, concatenated.
    static func flood(_ count: Int, _ frame: (Int) -> WebSocketFrame) -> [UInt8] {
        clientBytes((0..<count).map(frame))
    }

    /// A ping carrying its index, so the pongs' order can be checked.
    static func ping(_ index: Int) -> WebSocketFrame {
        WebSocketFrame(opcode: .ping, payload: withUnsafeBytes(of: UInt32(index).bigEndian, Array.init))
    }

    /// What the server did while the client wrote `bytes` without reading.
    struct Flooded {
        var written = 0
        var maxFootprint = 0
        var maxInbound = 0
    }

    /// Writes `bytes` as fast as the socket takes them, running the loop between writes and
    /// never reading, until all are written or the socket stopped taking any for 3 rounds.
    static func writeWithoutReading(_ bytes: [UInt8], from offset: Int = 0, harness: Harness) throws -> Flooded {
        var flooded = Flooded(written: offset)
        var stalledRounds = 0
        while flooded.written < bytes.count && stalledRounds < 3 {
            let result = try bytes.withUnsafeBytes { buffer in
                try SocketCalls.write(harness.pair.client, UnsafeRawBufferPointer(rebasing: buffer[flooded.written...]))
            }
            if case .transferred(let count) = result {
                flooded.written += count
                stalledRounds = 0
            } else {
                stalledRounds += 1
            }
            harness.loop.runUntilIdle()
            if let connection = harness.connection {
                flooded.maxFootprint = max(flooded.maxFootprint, connection.outbound.footprintBytes)
                flooded.maxInbound = max(flooded.maxInbound, connection.inbound.count)
            }
        }
        return flooded
    }

    /// Reads and writes the rest of `bytes` in turn until `done(frames)` or a close.
    static func readAll(_ bytes: [UInt8], from offset: Int, harness: Harness,
                        until done: ([WebSocketFrame]) -> Bool) throws -> WebSocketConnectionTests.Received {
        var all = WebSocketConnectionTests.Received(frames: [], isClosed: false)
        var written = offset
        for _ in 0..<1_000_000 {
            if written < bytes.count, case .transferred(let count) = try bytes.withUnsafeBytes({ buffer in
                try SocketCalls.write(harness.pair.client, UnsafeRawBufferPointer(rebasing: buffer[written...]))
            }) {
                written += count
            }
            harness.loop.runUntilIdle()
            let next = try harness.receive()
            all.frames += next.frames
            all.isClosed = next.isClosed
            if next.isClosed || done(all.frames) { break }
        }
        return all
    }

    @Test("100,000 pings never read: reading stops past the soft limit, then every pong arrives in order")
    func pingFloodIsBackpressured() throws {
        let harness = try Self.harness(.echo)
        let count = 100_000
        let bytes = Self.flood(count, Self.ping)
        let flooded = try Self.writeWithoutReading(bytes, harness: harness)
        let connection = try #require(harness.connection)
        #expect(flooded.written < bytes.count, "the server kept reading a client that never reads")
        #expect(connection.isReadingPaused)
        #expect(flooded.maxFootprint <= Self.softBytes + 256)
        #expect(flooded.maxInbound <= 4 * 64 * 1024)
        #expect(harness.hub.counters.slowConnectionsClosed == 0)

        let received = try Self.readAll(bytes, from: flooded.written, harness: harness) { $0.count >= count }
        #expect(received.isClosed == false)
        #expect(received.frames.count == count)
        #expect(received.frames.allSatisfy { $0.opcode == .pong })
        #expect(received.frames.indices.allSatisfy { received.frames[$0].payload == Self.ping($0).payload })
        #expect(harness.connection?.isReadingPaused == false)
    }

    @Test("100,000 bad room commands never read: error replies stay bounded, then each one arrives")
    func badCommandFloodIsBackpressured() throws {
        let harness = try Self.harness(.rooms(Harness.openPolicy(hub: RoomHub())))
        let count = 100_000
        let bytes = Self.flood(count) { _ in WebSocketFrame(opcode: .text, payload: Array("x".utf8)) }
        let flooded = try Self.writeWithoutReading(bytes, harness: harness)
        #expect(flooded.written < bytes.count)
        // An error reply is about 130 bytes: the queue passes the soft limit by one reply at most.
        #expect(flooded.maxFootprint <= Self.softBytes + 512)

        let received = try Self.readAll(bytes, from: flooded.written, harness: harness) { $0.count >= count }
        #expect(received.frames.count == count)
        #expect(received.frames.allSatisfy { String(decoding: $0.payload, as: UTF8.self).contains("malformed_message") })
    }

    @Test("echo messages never read: the queue passes the soft limit by one reply at most")
    func echoFloodIsBackpressured() throws {
        let harness = try Self.harness(.echo)
        let count = 5_000
        let payload = [UInt8](repeating: 0x61, count: 1000)
        let bytes = Self.flood(count) { _ in WebSocketFrame(opcode: .binary, payload: payload) }
        let flooded = try Self.writeWithoutReading(bytes, harness: harness)
        #expect(flooded.written < bytes.count)
        #expect(flooded.maxFootprint <= Self.softBytes + 1004 + OutboundQueue.frameOverheadBytes)

        let received = try Self.readAll(bytes, from: flooded.written, harness: harness) { $0.count >= count }
        #expect(received.frames.count == count)
        #expect(received.frames.allSatisfy { $0.payload == payload })
    }

    @Test("a client that stays backed up is closed after the missed pongs, and its slot is freed")
    func backedUpClientIsClosed() throws {
        let harness = try Self.harness(.echo)
        let bytes = Self.flood(50_000, Self.ping)
        _ = try Self.writeWithoutReading(bytes, harness: harness)
        #expect(harness.connection?.isReadingPaused == true)
        for _ in 0..<3 { harness.advance(by: .seconds(10)) }
        #expect(harness.connection == nil)
        #expect(harness.http.openConnections == 0)
        #expect(harness.hub.counters.openConnections == 0)
    }

    @Test("a connection past the soft limit beyond the grace is closed with 1013 by the next frame it is sent, a ping")
    func pingPastSoftGraceCloses1013() throws {
        var limits = OutboundLimits()
        limits.softBytes = Self.softBytes
        limits.hardBytes = 1 << 20
        limits.softGrace = .seconds(5)
        let room = RoomName("r")
        let harness = try Harness(kind: .rooms(Harness.openPolicy(hub: RoomHub())), limits: WebSocketLimits(pingInterval: .seconds(10)),
                                  outboundLimits: limits, rooms: [room.value], socketBufferBytes: 4096)
        let padding = String(repeating: "z", count: 2000)
        while (harness.connection?.outbound.queuedBytes ?? 0) <= Self.softBytes {
            harness.hub.publish(RoomMessageFraming().make(Array("{\"pad\":\"\(padding)\"}".utf8), delivery: .mustDeliver), to: room)
            harness.loop.runUntilIdle()
        }
        harness.advance(by: .seconds(9))
        #expect(harness.connection != nil)  // over the soft limit, within the grace, nothing sent since
        harness.advance(by: .seconds(1))  // the ping is due: sending it finds the grace spent
        #expect(harness.hub.counters.slowConnectionsClosed == 1)
        let received = try harness.drain()
        let close = try #require(received.frames.last)
        #expect(close.opcode == .close)
        #expect(Array(close.payload.prefix(2)) == [0x03, 0xF5])
        #expect(received.isClosed)
    }
}
