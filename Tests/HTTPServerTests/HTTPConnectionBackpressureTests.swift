import EventLoop
@testable import HTTPServer
import Synchronization
import Testing
import TestSupport

/// Backpressure on one connection: a client that pipelines without reading fills the
/// kernel's buffers, not the server's memory.
struct HTTPConnectionBackpressureTests {
    /// Responders of `POST /hold`, answered when the test says so.
    final class HeldResponders: Sendable {
        let responders = Mutex<[HTTPResponder]>([])

        func releaseAll() {
            for responder in responders.withLock({ held in defer { held.removeAll() }; return held }) {
                responder.respond(.json(.ok, Array(#"{"held":true}"#.utf8)))
            }
        }
    }

    static let livez = Array("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
    /// Bytes that would reach the server's buffer if it read everything it was sent.
    static let floodRequests = 60_000

    func router(holding held: HeldResponders) -> HTTPRouter {
        var router = testRouter()
        router.add(.post, "/hold", .asynchronous { _, responder in
            held.responders.withLock { $0.append(responder) }
        })
        return router
    }

    /// The most unparsed input a connection may hold (see `inboundHighWaterBytes`): one
    /// event's reads, or the mark plus one read, whichever is more.
    func maxBufferedInput(_ harness: ConnectionHarness) -> Int {
        let scratch = harness.context.scratch.count
        return max(HTTPConnection.readsPerEvent * scratch, HTTPConnection.inboundHighWaterBytes + scratch)
    }

    /// Unparsed input the connection holds.
    func bufferedInput(_ connection: HTTPConnection) -> Int {
        connection.inbound.count - connection.requestStart
    }

    /// Writes `bytes` until the socket takes no more even after the loop had its turn.
    func writeUntilBlocked(_ harness: ConnectionHarness, _ bytes: [UInt8]) throws -> Int {
        var offset = 0
        var stalledRounds = 0
        while offset < bytes.count && stalledRounds < 3 {
            let next = try harness.writeWhatFits(bytes, from: offset)
            stalledRounds = next == offset ? stalledRounds + 1 : 0
            offset = next
            harness.loop.runUntilIdle()
        }
        return offset
    }

    /// Reads and counts complete `200` responses until `expected` arrived, writing what is
    /// left of `bytes` from `offset` as the socket takes it.
    func drain(_ harness: ConnectionHarness, _ bytes: [UInt8], from offset: Int, expecting expected: Int) throws -> Int {
        var offset = offset
        var received: [UInt8] = []
        let marker = Array("HTTP/1.1 200 OK\r\n".utf8)
        var count = 0
        var scanned = 0
        var idleRounds = 0
        while count < expected && idleRounds < 1000 {
            offset = try harness.writeWhatFits(bytes, from: offset)
            harness.loop.runUntilIdle()
            let (chunk, isClosed) = try RawSocket.readAvailable(harness.pair.client)
            if isClosed { break }
            idleRounds = chunk.isEmpty ? idleRounds + 1 : 0
            received += chunk
            while scanned + marker.count <= received.count {
                if received[scanned] == marker[0] && received[scanned..<scanned + marker.count].elementsEqual(marker) {
                    count += 1
                    scanned += marker.count
                } else {
                    scanned += 1
                }
            }
        }
        return count
    }

    @Test("while an asynchronous response is pending, reading stops once 64 KiB wait, and resumes when it is answered")
    func pendingResponsePausesReading() throws {
        let held = HeldResponders()
        let harness = try ConnectionHarness(limits: HTTPLimits(), router: router(holding: held))
        let flood = Array("POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".utf8)
            + Array([[UInt8]](repeating: Self.livez, count: Self.floodRequests).joined())
        let written = try writeUntilBlocked(harness, flood)
        let connection = try #require(harness.connection)
        // Without backpressure the server would have read all 2 MB the client offered.
        #expect(written < flood.count / 2)
        #expect(bufferedInput(connection) >= HTTPConnection.inboundHighWaterBytes)
        #expect(bufferedInput(connection) <= maxBufferedInput(harness))
        #expect(connection.isReadPaused)
        #expect(!connection.interest.contains(.readable))
        #expect(held.responders.withLock { $0.count } == 1)

        // The answer arrives: every pipelined request behind it is then served, in order.
        held.releaseAll()
        #expect(try drain(harness, flood, from: written, expecting: Self.floodRequests + 1) == Self.floodRequests + 1)
        #expect(harness.connection.map { bufferedInput($0) } == 0)
        #expect(harness.connection?.interest.contains(.readable) == true)
    }

    @Test("while output is over its high-water mark, reading stops once 64 KiB wait, and resumes as it drains")
    func unreadOutputPausesReading() throws {
        let harness = try ConnectionHarness(limits: HTTPLimits())
        let flood = Array("GET /huge HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            + Array([[UInt8]](repeating: Self.livez, count: Self.floodRequests).joined())
        let written = try writeUntilBlocked(harness, flood)
        let connection = try #require(harness.connection)
        #expect(written < flood.count / 2)
        #expect(connection.outbound.count - connection.outboundSent >= HTTPConnection.outboundHighWaterBytes)
        #expect(bufferedInput(connection) <= maxBufferedInput(harness))
        #expect(connection.isReadPaused)
        #expect(!connection.interest.contains(.readable))
        #expect(connection.interest.contains(.writable))

        #expect(try drain(harness, flood, from: written, expecting: Self.floodRequests + 1) == Self.floodRequests + 1)
        #expect(harness.connection?.interest.contains(.readable) == true)
    }

    @Test("a client that pipelines without reading and then resets is closed, not spun on")
    func resetWhilePausedCloses() throws {
        let held = HeldResponders()
        let harness = try ConnectionHarness(limits: HTTPLimits(), router: router(holding: held))
        let flood = Array("POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".utf8)
            + Array([[UInt8]](repeating: Self.livez, count: Self.floodRequests).joined())
        _ = try writeUntilBlocked(harness, flood)
        #expect(harness.connection?.isReadPaused == true)
        harness.closeClient()
        harness.loop.runUntilIdle()
        #expect(harness.context.openConnections == 0)
        held.releaseAll()
        harness.loop.runUntilIdle()
    }
}
