import TestSupport
import Testing
import WebSocket

struct WebSocketFrameDecoderErrorTests {
    @Test("an unmasked client frame closes with 1002 after two bytes")
    func unmaskedFrameCloses1002() {
        let failedAt = expectFrameError([0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F], .unmaskedFrame)
        #expect(failedAt == 2)
        #expect(WebSocketProtocolError.unmaskedFrame.closeCode == .protocolError)
    }

    @Test("RSV2 and RSV3 always, and RSV1 without deflate, close with 1002", arguments: [0x40, 0x20, 0x10] as [UInt8])
    func reservedBitsClose1002(bit: UInt8) {
        let failedAt = expectFrameError([0x81 | bit, 0x80, 1, 2, 3, 4], .reservedBitsSet)
        #expect(failedAt == 2)
    }

    @Test("RSV1 is accepted on a text or binary frame once deflate is negotiated")
    func rsv1AcceptedWithDeflate() {
        let report = feedFrame([0xC1, 0x80, 1, 2, 3, 4], allowsCompressedFrames: true)
        #expect(report.output == .frame(WebSocketFrame(rsv1: true, opcode: .text, payload: []), consumed: 6))
    }

    @Test("RSV1 on a control or continuation frame closes with 1002 even with deflate", arguments: [0x89, 0x00] as [UInt8])
    func rsv1OnControlOrContinuationCloses1002(first: UInt8) {
        expectFrameError([first | 0x40, 0x80, 1, 2, 3, 4], .reservedBitsSet, allowsCompressedFrames: true)
    }

    @Test("every reserved opcode closes with 1002", arguments: [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF] as [UInt8])
    func reservedOpcodeCloses1002(opcode: UInt8) {
        let failedAt = expectFrameError([0x80 | opcode, 0x80, 1, 2, 3, 4], .reservedOpcode(opcode))
        #expect(failedAt == 2)
        #expect(WebSocketProtocolError.reservedOpcode(opcode).closeCode == .protocolError)
    }

    @Test("a control frame without FIN closes with 1002", arguments: [0x08, 0x09, 0x0A] as [UInt8])
    func fragmentedControlFrameCloses1002(opcode: UInt8) {
        expectFrameError([opcode, 0x80, 1, 2, 3, 4], .fragmentedControlFrame)
    }

    @Test("a control frame announcing 126 bytes closes with 1002 before the length arrives")
    func longControlFrameCloses1002() {
        let failedAt = expectFrameError([0x89, 0xFE, 0x00, 0x7E, 1, 2, 3, 4], .controlFrameTooLong)
        #expect(failedAt == 2)
    }

    @Test("a 64-bit length with the top bit set closes with 1002")
    func topBitLengthCloses1002() {
        let failedAt = expectFrameError([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4], .invalidPayloadLength)
        #expect(failedAt == 10)
    }

    @Test("a 64-bit length above maxFrameBytes closes with 1009 before any payload")
    func overlongFrameCloses1009() {
        let limits = WebSocketLimits(maxFrameBytes: 1000)
        let bytes: [UInt8] = [0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0x03, 0xE9, 1, 2, 3, 4]
        let failedAt = expectFrameError(bytes, .frameTooBig(announcedBytes: 1001), limits: limits)
        #expect(failedAt == 10)
        #expect(WebSocketProtocolError.frameTooBig(announcedBytes: 1001).closeCode == .messageTooBig)
    }

    @Test("a 16-bit length above maxFrameBytes closes with 1009; exactly the limit is accepted")
    func frameLimitIsInclusive() {
        let limits = WebSocketLimits(maxFrameBytes: 200)
        expectFrameError([0x82, 0xFE, 0x00, 0xC9, 1, 2, 3, 4], .frameTooBig(announcedBytes: 201), limits: limits)
        let exact = clientBytes([WebSocketFrame(opcode: .binary, payload: Array(repeating: 5, count: 200))])
        let report = feedFrame(exact, limits: limits)
        #expect(report.output == .frame(WebSocketFrame(opcode: .binary, payload: Array(repeating: 5, count: 200)), consumed: 208))
    }

    @Test("a violation after a good frame still yields the good frame first")
    func goodFrameThenViolation() {
        let good = clientBytes([WebSocketFrame(opcode: .text, payload: Array("ok".utf8))])
        for split in ByteSplit.standard() {
            let outcome = decodeStream(good + [0x83, 0x80, 1, 2, 3, 4], split: split)
            #expect(outcome == StreamOutcome(frames: [WebSocketFrame(opcode: .text, payload: Array("ok".utf8))],
                                             error: .reservedOpcode(3)), "\(split)")
        }
    }
}
