import TestSupport
import Testing
import WebSocket

struct WebSocketFrameDecoderTests {
    static let hello = Array("Hello".utf8)

    @Test("RFC 6455 §5.7: a single-frame unmasked text message decodes under every split")
    func rfcUnmaskedText() {
        let frame = expectFrame([0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F], requiresMaskedFrames: false)
        #expect(frame == WebSocketFrame(opcode: .text, payload: Self.hello))
    }

    @Test("RFC 6455 §5.7: a single-frame masked text message is unmasked")
    func rfcMaskedText() {
        let frame = expectFrame([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
        #expect(frame == WebSocketFrame(opcode: .text, payload: Self.hello))
    }

    @Test("RFC 6455 §5.7: the fragmented unmasked message arrives as two frames under every split")
    func rfcFragmentedText() {
        let bytes: [UInt8] = [0x01, 0x03, 0x48, 0x65, 0x6C, 0x80, 0x02, 0x6C, 0x6F]
        for split in ByteSplit.standard() {
            let outcome = decodeStream(bytes, split: split, requiresMaskedFrames: false)
            #expect(outcome.error == nil, "\(split)")
            #expect(outcome.frames == [
                WebSocketFrame(fin: false, opcode: .text, payload: Array("Hel".utf8)),
                WebSocketFrame(opcode: .continuation, payload: Array("lo".utf8)),
            ], "\(split)")
        }
    }

    @Test("RFC 6455 §5.7: an unmasked ping and a masked pong carry \"Hello\"")
    func rfcPingPong() {
        let ping = expectFrame([0x89, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F], requiresMaskedFrames: false)
        #expect(ping == WebSocketFrame(opcode: .ping, payload: Self.hello))
        let pong = expectFrame([0x8A, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
        #expect(pong == WebSocketFrame(opcode: .pong, payload: Self.hello))
    }

    @Test("RFC 6455 §5.7: 256 bytes use the 16-bit length and 64 KiB the 64-bit length")
    func rfcExtendedLengths() {
        let small = (0..<256).map { UInt8(truncatingIfNeeded: $0) }
        let frame16 = expectFrame([0x82, 0x7E, 0x01, 0x00] + small, requiresMaskedFrames: false)
        #expect(frame16 == WebSocketFrame(opcode: .binary, payload: small))
        let large = (0..<65536).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let bytes64 = [0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00] + large
        for split in [ByteSplit.whole] + (1...5).map({ ByteSplit.random(seed: $0) }) {
            let outcome = decodeStream(bytes64, split: split, requiresMaskedFrames: false)
            #expect(outcome == StreamOutcome(frames: [WebSocketFrame(opcode: .binary, payload: large)]), "\(split)")
        }
    }

    @Test("a masked frame of odd length is unmasked byte for byte as RFC 6455 §5.3 defines")
    func unmaskMatchesDefinition() {
        var generator = SeededGenerator(seed: 7)
        let payload = (0..<1001).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let key = WebSocketMaskingKey(0xA1, 0x02, 0xF3, 0x44)
        var wire: [UInt8] = [0x82, 0xFE, 0x03, 0xE9, 0xA1, 0x02, 0xF3, 0x44]
        wire += payload.enumerated().map { $0.element ^ key[$0.offset] }
        let outcome = decodeStream(wire, split: .random(seed: 3))
        #expect(outcome.frames.first?.payload == payload)
    }

    @Test("several frames in one delivery come out in order with nothing left over")
    func framesBackToBack() {
        let frames = [
            WebSocketFrame(fin: false, opcode: .binary, payload: [1, 2, 3]),
            WebSocketFrame(opcode: .ping, payload: []),
            WebSocketFrame(opcode: .continuation, payload: Array(repeating: 9, count: 300)),
            WebSocketFrame(opcode: .close, payload: [0x03, 0xE8]),
        ]
        for split in ByteSplit.standard() {
            #expect(decodeStream(clientBytes(frames), split: split) == StreamOutcome(frames: frames), "\(split)")
        }
    }

    @Test("a non-minimal length encoding is accepted")
    func nonMinimalLengthAccepted() {
        let frame = expectFrame([0x82, 0x7E, 0x00, 0x03, 1, 2, 3], requiresMaskedFrames: false)
        #expect(frame?.payload == [1, 2, 3])
        let frame64 = expectFrame([0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0x01, 7], requiresMaskedFrames: false)
        #expect(frame64?.payload == [7])
    }

    @Test("an empty masked frame decodes once its key has arrived")
    func emptyMaskedFrame() {
        let frame = expectFrame([0x82, 0x80, 1, 2, 3, 4])
        #expect(frame == WebSocketFrame(opcode: .binary, payload: []))
    }

    @Test("the pending frame size is known once the header is complete")
    func pendingFrameBytes() throws {
        var decoder = WebSocketFrameDecoder(limits: WebSocketLimits())
        let header: [UInt8] = [0x82, 0xFE, 0x01, 0x00, 1, 2, 3, 4]
        #expect(decoder.pendingFrameBytes == nil)
        let result = try header.withUnsafeBytes { bytes throws(WebSocketProtocolError) in try decoder.decode(bytes) }
        #expect(result == .needMoreBytes)
        #expect(decoder.pendingFrameBytes == 8 + 256)
    }
}
