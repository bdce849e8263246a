import TestSupport
import Testing
import WebSocket

struct WebSocketFrameEncoderTests {
    @Test("a close 1002 frame for a protocol error is 0x88 0x02 0x03 0xEA plus its reason")
    func closeFrameExactBytes() {
        var out: [UInt8] = []
        WebSocketFrameEncoder.encodeClose(code: .protocolError, reason: .normal, into: &out)
        #expect(out == [0x88, 0x02, 0x03, 0xEA])
        out = []
        WebSocketFrameEncoder.encodeClose(for: .unmaskedFrame, into: &out)
        let reason = Array("client frames must be masked".utf8)
        #expect(out == [0x88, UInt8(2 + reason.count), 0x03, 0xEA] + reason)
    }

    @Test("RFC 6455 §5.7: the unmasked \"Hello\" text and ping frames are written exactly")
    func rfcExamplesExactBytes() {
        var text: [UInt8] = []
        WebSocketFrameEncoder.encode(opcode: .text, payload: Array("Hello".utf8), into: &text)
        #expect(text == [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
        var fragments: [UInt8] = []
        WebSocketFrameEncoder.encode(opcode: .text, payload: Array("Hel".utf8), fin: false, into: &fragments)
        WebSocketFrameEncoder.encode(opcode: .continuation, payload: Array("lo".utf8), into: &fragments)
        #expect(fragments == [0x01, 0x03, 0x48, 0x65, 0x6C, 0x80, 0x02, 0x6C, 0x6F])
        var ping: [UInt8] = []
        WebSocketFrameEncoder.encodePing(payload: Array("Hello".utf8), into: &ping)
        #expect(ping == [0x89, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
    }

    @Test("RFC 6455 §5.7: the masked \"Hello\" frame is written exactly with its key")
    func rfcMaskedExactBytes() {
        var out: [UInt8] = []
        WebSocketFrameEncoder.encode(
            opcode: .text, payload: Array("Hello".utf8), maskingKey: WebSocketMaskingKey(0x37, 0xFA, 0x21, 0x3D), into: &out)
        #expect(out == [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
    }

    @Test("lengths switch from 7 to 16 to 64 bits at 126 and 65536 bytes", arguments: [
        (125, [0x82, 0x7D]), (126, [0x82, 0x7E, 0x00, 0x7E]), (65535, [0x82, 0x7E, 0xFF, 0xFF]),
        (65536, [0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]),
    ] as [(Int, [UInt8])])
    func lengthForms(length: Int, header: [UInt8]) {
        var out: [UInt8] = []
        WebSocketFrameEncoder.encode(opcode: .binary, payload: Array(repeating: 1, count: length), into: &out)
        #expect(Array(out.prefix(header.count)) == header)
        #expect(out.count == header.count + length)
    }

    @Test("RSV1 and a cleared FIN are set in the first byte")
    func rsv1AndFinBits() {
        var out: [UInt8] = []
        WebSocketFrameEncoder.writeHeader(opcode: .binary, payloadBytes: 0, fin: false, rsv1: true, into: &out)
        #expect(out == [0x42, 0x00])
    }

    @Test("masked frames of every length form round-trip through the server decoder", arguments: [0, 1, 7, 125, 126, 4099, 70000])
    func maskedRoundTrip(length: Int) {
        var generator = SeededGenerator(seed: UInt64(length) + 1)
        let payload = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let frames = [
            WebSocketFrame(fin: false, opcode: .binary, payload: payload),
            WebSocketFrame(opcode: .pong, payload: Array(payload.prefix(125))),
            WebSocketFrame(opcode: .continuation, payload: payload.reversed()),
        ]
        var wire: [UInt8] = []
        for frame in frames {
            let key = WebSocketMaskingKey.random(using: &generator)
            WebSocketFrameEncoder.encode(opcode: frame.opcode, payload: frame.payload, fin: frame.fin, maskingKey: key, into: &wire)
        }
        #expect(decodeStream(wire, split: .random(seed: 9)) == StreamOutcome(frames: frames))
    }

    @Test("unmasked server frames round-trip through a client-side decoder")
    func serverFrameRoundTrip() {
        var wire: [UInt8] = []
        WebSocketFrameEncoder.encode(opcode: .text, payload: Array("é".utf8), rsv1: true, into: &wire)
        WebSocketFrameEncoder.encodeClose(code: .tryAgainLater, reason: .outboundLimitExceeded, into: &wire)
        let outcome = decodeStream(wire, split: .byteByByte, allowsCompressedFrames: true, requiresMaskedFrames: false)
        #expect(outcome.error == nil)
        #expect(outcome.frames.map(\.opcode) == [.text, .close])
        #expect(outcome.frames.first?.rsv1 == true)
        #expect(outcome.frames.last?.payload.prefix(2) == [0x03, 0xF5])
    }
}
