import EventLoop
@testable import HTTPServer
import Testing
import TestSupport
@testable import WebSocket
#if canImport(Glibc)
import Glibc
#endif

/// `WebSocketConnection` driven deterministically: the server end of a socketpair is adopted
/// by a real HTTP loop context on a loop with a manual clock, upgraded through the real
/// route, and stepped from the test thread (STYLE P10).
struct WebSocketConnectionTests {
    static let key = WebSocketMaskingKey(0x37, 0xFA, 0x21, 0x3D)

    @Test("a masked text and a masked binary message come back unmasked and unchanged")
    func echoRoundTrip() throws {
        let harness = try Harness(kind: .echo)
        try harness.send(.text, Array("Hello".utf8))
        try harness.send(.binary, [0, 1, 2, 0xFF])
        let frames = try harness.receive()
        #expect(frames.frames == [WebSocketFrame(opcode: .text, payload: Array("Hello".utf8)),
                                  WebSocketFrame(opcode: .binary, payload: [0, 1, 2, 0xFF])])
        #expect(frames.isClosed == false)
    }

    @Test("a message sent in fragments with a ping between them is echoed whole, after the pong")
    func fragmentedEcho() throws {
        let harness = try Harness(kind: .echo)
        try harness.send(.text, Array("Hel".utf8), fin: false)
        try harness.send(.ping, Array("p".utf8))
        try harness.send(.continuation, Array("lo".utf8))
        #expect(try harness.receive().frames == [WebSocketFrame(opcode: .pong, payload: Array("p".utf8)),
                                                 WebSocketFrame(opcode: .text, payload: Array("Hello".utf8))])
    }

    @Test("a ping is answered with a pong carrying its payload")
    func pingPong() throws {
        let harness = try Harness(kind: .echo)
        try harness.send(.ping, Array("are you there".utf8))
        #expect(try harness.receive().frames == [WebSocketFrame(opcode: .pong, payload: Array("are you there".utf8))])
    }

    @Test("a client close is echoed with its code, then the server closes TCP and frees the slot")
    func clientClose() throws {
        let harness = try Harness(kind: .echo)
        var close: [UInt8] = []
        WebSocketFrameEncoder.encodeClose(code: .normalClosure, reason: .normal, maskingKey: Self.key, into: &close)
        try harness.sendRaw(close)
        let received = try harness.receive()
        #expect(received.frames == [WebSocketFrame(opcode: .close, payload: [0x03, 0xE8])])
        #expect(received.isClosed)
        #expect(harness.http.openConnections == 0)
        #expect(harness.hub.counters.openConnections == 0)
    }

    @Test("a close without a code is answered with an empty close")
    func emptyClose() throws {
        let harness = try Harness(kind: .echo)
        try harness.send(.close, [])
        let received = try harness.receive()
        #expect(received.frames == [WebSocketFrame(opcode: .close)])
        #expect(received.isClosed)
    }

    @Test("an unmasked client frame gets close 1002 with its reason, then TCP is closed")
    func unmaskedFrameFails() throws {
        let harness = try Harness(kind: .echo)
        var frame: [UInt8] = []
        WebSocketFrameEncoder.encode(opcode: .text, payload: Array("hi".utf8), into: &frame)
        try harness.sendRaw(frame)
        let (bytes, isClosed) = try harness.receiveRaw()
        var expected: [UInt8] = []
        WebSocketFrameEncoder.encodeClose(code: .protocolError, reason: WebSocketProtocolError.unmaskedFrame.reason, into: &expected)
        #expect(bytes == expected)
        #expect(Array(bytes.prefix(4)) == [0x88, UInt8(expected.count - 2), 0x03, 0xEA])
        #expect(isClosed)
        #expect(harness.http.openConnections == 0)
    }

    @Test("a binary message on a rooms endpoint closes with 1003")
    func binaryOnRoomsEndpoint() throws {
        let harness = try Harness(kind: .rooms(Harness.openPolicy(hub: RoomHub())))
        try harness.send(.binary, [1, 2, 3])
        let received = try harness.receive()
        #expect(received.frames.last?.opcode == .close)
        #expect(received.frames.last.map { Array($0.payload.prefix(2)) } == [0x03, 0xEB])
        #expect(received.isClosed)
    }

    @Test("an idle connection is pinged after the ping interval and closed after the missed pongs")
    func idlePingThenClose() throws {
        let harness = try Harness(kind: .echo, limits: WebSocketLimits(pingInterval: .seconds(10), maxMissedPongs: 2))
        harness.advance(by: .seconds(10) - .nanoseconds(1))
        #expect(try harness.receive().frames.isEmpty)
        harness.advance(by: .nanoseconds(1))
        #expect(try harness.receive().frames == [WebSocketFrame(opcode: .ping)])
        harness.advance(by: .seconds(10))
        #expect(try harness.receive().frames == [WebSocketFrame(opcode: .ping)])
        harness.advance(by: .seconds(10) - .nanoseconds(1))
        #expect(try harness.receive().isClosed == false)
        harness.advance(by: .nanoseconds(1))
        let last = try harness.receive()
        #expect(last.frames.isEmpty)
        #expect(last.isClosed)
        #expect(harness.http.openConnections == 0)
    }

    @Test("a pong (or any frame) resets the ping timer and the missed-pong count")
    func pongKeepsConnectionAlive() throws {
        let harness = try Harness(kind: .echo, limits: WebSocketLimits(pingInterval: .seconds(10), maxMissedPongs: 1))
        for _ in 0..<5 {
            harness.advance(by: .seconds(10))
            #expect(try harness.receive().frames == [WebSocketFrame(opcode: .ping)])
            harness.advance(by: .seconds(5))
            try harness.send(.pong, [])
        }
        harness.advance(by: .seconds(9))
        let quiet = try harness.receive()
        #expect(quiet.frames.isEmpty)
        #expect(quiet.isClosed == false)
    }

    @Test("draining sends close 1001 and closes once the peer answers")
    func drainSendsGoingAway() throws {
        let harness = try Harness(kind: .echo)
        let connection = try #require(harness.connection)
        connection.drain(loop: harness.loop)
        let received = try harness.receive()
        #expect(received.frames.count == 1)
        #expect(received.frames.first.map { Array($0.payload.prefix(2)) } == [0x03, 0xE9])
        #expect(received.isClosed == false)
        try harness.send(.close, [0x03, 0xE9])
        #expect(try harness.receive().isClosed)
    }
}

extension WebSocketConnectionTests {
    /// What the client end read: the frames decoded so far and whether the server closed.
    struct Received {
        var frames: [WebSocketFrame]
        var isClosed: Bool
    }

    struct HarnessError: Error, CustomStringConvertible {
        let description: String
    }

    /// One upgraded connection on a socketpair; the test plays the client.
    final class Harness {
        let clock = ManualClock()
        let loop: EventLoop
        let hub: RoomHub
        let http: HTTPLoopContext
        let pair: SocketPair
        private var decoder = WebSocketFrameDecoder(limits: WebSocketLimits(), allowsCompressedFrames: true, requiresMaskedFrames: false)
        private var unread: [UInt8] = []
        /// Bytes the last `receive` read from the socket.
        private var lastReadCount = 0

        /// Upgrades `GET /ws?room=...` (no compression offered) and reads the `101`.
        /// `socketBufferBytes` shrinks the server's send and the client's receive buffers.
        init(kind: WebSocketEndpoint.Kind, limits: WebSocketLimits = WebSocketLimits(),
             outboundLimits: OutboundLimits = OutboundLimits(), rooms: [String] = [], socketBufferBytes: Int? = nil) throws {
            loop = try EventLoop(clock: clock)
            hub = if case .rooms(let policy) = kind { policy.hub } else { RoomHub() }
            hub.attach(loops: [loop.handle])
            let endpoint = WebSocketEndpoint(kind: kind, limits: limits, outboundLimits: outboundLimits)
            var router = HTTPRouter()
            router.add(.get, "/ws", WebSocketRoute.handler(endpoint: endpoint, hub: hub) { request in
                request.queryValues("room").map(RoomName.init)
            })
            http = HTTPLoopContext(router: router, limits: HTTPLimits(), counters: ServerCounters())
            pair = try SocketPair.make()
            if let size = socketBufferBytes {
                Self.setBuffer(pair.server, SO_SNDBUF, size)
                Self.setBuffer(pair.client, SO_RCVBUF, size)
            }
            http.adopt(pair.server, loop: loop)
            let query = rooms.isEmpty ? "" : "?" + rooms.map { "room=" + $0 }.joined(separator: "&")
            try RawSocket.write(pair.client, "GET /ws\(query) HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            loop.runUntilIdle()
            unread = try RawSocket.readAvailable(pair.client).bytes
            let end = Array("\r\n\r\n".utf8)
            guard let split = unread.indices.first(where: { unread[$0...].starts(with: end) }) else {
                throw HarnessError(description: "no complete 101 head: \(String(decoding: unread, as: UTF8.self))")
            }
            let head = String(decoding: unread[..<split], as: UTF8.self)
            // RFC 6455 §1.3's example key and accept value.
            guard head.hasPrefix("HTTP/1.1 101 "), head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") else {
                throw HarnessError(description: "not a 101: \(head)")
            }
            unread.removeFirst(split + 4)
        }

        deinit { close(pair.client) }

        static func setBuffer(_ fd: Int32, _ option: Int32, _ bytes: Int) {
            var value = Int32(bytes)
            _ = setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<Int32>.size))
        }

        /// A room policy that allows every room and has no snapshots.
        static func openPolicy(hub: RoomHub) -> RoomPolicy {
            RoomPolicy(hub: hub, allowsRoom: { _ in true }, snapshot: { _ in nil })
        }

        /// The connection on the loop, while it is registered.
        var connection: WebSocketConnection? {
            var found: WebSocketConnection?
            loop.forEachHandler { if let connection = $0 as? WebSocketConnection { found = connection } }
            return found
        }

        /// The WebSocket counters of the loop.
        var webSocket: WebSocketLoopContext { WebSocketLoopContext.of(loop, hub: hub) }

        /// Sends one masked frame and lets the loop handle it.
        func send(_ opcode: WebSocketFrame.Opcode, _ payload: [UInt8], fin: Bool = true) throws {
            var frame: [UInt8] = []
            WebSocketFrameEncoder.encode(opcode: opcode, payload: payload, fin: fin, maskingKey: WebSocketConnectionTests.key, into: &frame)
            try sendRaw(frame)
        }

        func sendRaw(_ bytes: [UInt8]) throws {
            try RawSocket.write(pair.client, bytes)
            loop.runUntilIdle()
        }

        func advance(by duration: Duration) {
            clock.advance(by: duration)
            loop.runUntilIdle()
        }

        /// Every byte available now, undecoded.
        func receiveRaw() throws -> (bytes: [UInt8], isClosed: Bool) {
            let (bytes, isClosed) = try RawSocket.readAvailable(pair.client)
            defer { unread = [] }
            return (unread + bytes, isClosed)
        }

        /// The complete frames available now (a partial one waits for the next call).
        func receive() throws -> Received {
            let (bytes, isClosed) = try RawSocket.readAvailable(pair.client)
            lastReadCount = bytes.count
            unread += bytes
            var frames: [WebSocketFrame] = []
            var consumedTotal = 0
            while true {
                let result = try unread.withUnsafeBytes { try decoder.decode(UnsafeRawBufferPointer(rebasing: $0[consumedTotal...])) }
                guard case .frame(let frame, let consumed) = result else { break }
                frames.append(frame)
                consumedTotal += consumed
            }
            unread.removeFirst(consumedTotal)
            return Received(frames: frames, isClosed: isClosed)
        }

        /// Reads and runs the loop in turn until the server has nothing more to write.
        func drain() throws -> Received {
            var all = Received(frames: [], isClosed: false)
            while true {
                let next = try receive()
                all.frames += next.frames
                all.isClosed = next.isClosed
                let didWork = loop.runUntilIdle() > 0
                if next.isClosed || (lastReadCount == 0 && !didWork) { return all }
            }
        }
    }
}
