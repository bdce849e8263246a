import Testing
import TestSupport
import WebSocket

/// Framing a room message once: the plain text frame, the deflated frame and the
/// Server-Sent Event form (DESIGN §1.4).
struct RoomMessageFramingTests {
    /// A progress event as the bridge would publish it, long enough to be compressed.
    static let progressJSON = Array((#"{"event":"model_load_progress","room":"model:minilm","seq":7,"data":{"id":"minilm","#
        + #""state":"loading","step":5,"total":9,"phase":"reading weights","bytes_loaded":1048576,"#
        + #""bytes_total":90868376}}"#).utf8)

    /// A frame's bytes, copied while the frame is surely alive (a temporary's memory is
    /// freed as soon as its last use, which `buffer` alone does not extend).
    static func bytes(_ frame: SharedFrame) -> [UInt8] {
        withExtendedLifetime(frame) { Array(frame.buffer) }
    }

    /// Decodes one server frame (unmasked) that must fill `bytes` exactly.
    static func decodeServerFrame(_ bytes: [UInt8]) throws -> WebSocketFrame {
        var decoder = WebSocketFrameDecoder(limits: WebSocketLimits(), allowsCompressedFrames: true, requiresMaskedFrames: false)
        let result = try bytes.withUnsafeBytes { try decoder.decode($0) }
        guard case .frame(let frame, let consumed) = result, consumed == bytes.count else {
            throw FramingMismatch(result: result)
        }
        return frame
    }

    struct FramingMismatch: Error {
        let result: WebSocketFrameDecodeResult
    }

    /// The message a client would get from a compressed payload, with a fresh inflater.
    static func inflate(_ payload: [UInt8]) throws -> [UInt8] {
        let inflater = Inflater(keepsContext: false)
        var output: [UInt8] = []
        try inflater.inflate(payload, into: &output, maxOutputBytes: 1 << 20)
        try inflater.finishMessage(into: &output, maxOutputBytes: 1 << 20)
        return output
    }

    @Test("the plain frame is a final unmasked text frame with the shortest length form")
    func plainFrameBytes() {
        let framing = RoomMessageFraming()
        let short = Array(#"{"a":1}"#.utf8)
        #expect(Self.bytes(framing.make(short, delivery: .mustDeliver).plain) == [0x81, 0x07] + short)

        let medium = [UInt8](repeating: UInt8(ascii: "x"), count: 300)
        #expect(Self.bytes(framing.make(medium, delivery: .mustDeliver).plain) == [0x81, 126, 0x01, 0x2C] + medium)

        let large = [UInt8](repeating: UInt8(ascii: "y"), count: 70_000)
        let header: [UInt8] = [0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70]
        #expect(Self.bytes(framing.make(large, delivery: .mustDeliver).plain) == header + large)
    }

    @Test("the deflated frame has RSV1 set, is smaller, and inflates back to the message")
    func deflatedFrameInflates() throws {
        let message = RoomMessageFraming().make(Self.progressJSON, delivery: .replaceable(key: "progress:minilm"))
        let deflated = try #require(message.deflated)
        #expect(deflated.count < message.plain.count)
        let frame = try Self.decodeServerFrame(Self.bytes(deflated))
        #expect(frame.rsv1)
        #expect(frame.fin)
        #expect(frame.opcode == .text)
        #expect(try Self.inflate(frame.payload) == Self.progressJSON)
        #expect(message.delivery == .replaceable(key: "progress:minilm"))
    }

    @Test("each message compresses on its own, so every subscriber can inflate any one of them")
    func noContextTakeover() throws {
        let framing = RoomMessageFraming()
        let first = framing.make(Self.progressJSON, delivery: .mustDeliver)
        let second = framing.make(Self.progressJSON, delivery: .mustDeliver)
        // With context takeover the second would be a tiny back-reference to the first.
        let firstDeflated = try #require(first.deflated)
        let secondDeflated = try #require(second.deflated)
        #expect(Self.bytes(firstDeflated) == Self.bytes(secondDeflated))
        let frame = try Self.decodeServerFrame(Self.bytes(secondDeflated))
        #expect(try Self.inflate(frame.payload) == Self.progressJSON)
    }

    @Test("messages under the threshold are not compressed and everyone gets the plain frame")
    func shortMessagesStayPlain() {
        let json = Array(#"{"event":"x","room":"models","seq":1,"data":{}}"#.utf8)
        #expect(json.count < RoomMessageFraming.compressionThresholdBytes)
        let message = RoomMessageFraming().make(json, delivery: .mustDeliver)
        #expect(message.deflated == nil)
        #expect(message.frame(compressed: true) === message.plain)
        #expect(message.frame(compressed: false) === message.plain)
    }

    @Test("incompressible messages stay plain even above the threshold")
    func incompressibleStaysPlain() {
        var generator = SeededGenerator(seed: 42)
        let noise = (0..<512).map { _ in UInt8.random(in: 0...0xFF, using: &generator) }
        let message = RoomMessageFraming().make(noise, delivery: .mustDeliver)
        #expect(message.deflated == nil)
    }

    @Test("compressed connections get the deflated frame, the others the plain one")
    func frameChoice() throws {
        let message = RoomMessageFraming().make(Self.progressJSON, delivery: .mustDeliver)
        let deflated = try #require(message.deflated)
        #expect(message.frame(compressed: true) === deflated)
        #expect(message.frame(compressed: false) === message.plain)
    }

    @Test("the event-stream form has id, event and data lines and a blank line after")
    func eventStreamLines() {
        let message = RoomMessageFraming().make(Array(#"{"seq":3}"#.utf8), delivery: .mustDeliver,
                                                eventID: 3, eventName: "model_load_started")
        let text = String(decoding: Self.bytes(message.eventStream), as: UTF8.self)
        #expect(text == "id: 3\nevent: model_load_started\ndata: {\"seq\":3}\n\n")
    }

    @Test("without an id or a name the event is data alone")
    func eventStreamDataOnly() {
        let message = RoomMessageFraming().make(Array(#"{"hello":"world"}"#.utf8), delivery: .mustDeliver)
        #expect(String(decoding: Self.bytes(message.eventStream), as: UTF8.self) == "data: {\"hello\":\"world\"}\n\n")
    }

    @Test("data with newlines becomes one data line per line, carriage returns dropped")
    func eventStreamMultiLine() {
        let message = RoomMessageFraming().make(Array("{\n\"a\": 1,\r\n\"b\": 2\n}".utf8), delivery: .mustDeliver,
                                                eventID: 12, eventName: "admin")
        let text = String(decoding: Self.bytes(message.eventStream), as: UTF8.self)
        #expect(text == "id: 12\nevent: admin\ndata: {\ndata: \"a\": 1,\ndata: \"b\": 2\ndata: }\n\n")
    }
}
