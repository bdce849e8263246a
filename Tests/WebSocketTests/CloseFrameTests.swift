import Testing
import WebSocket

struct CloseFrameTests {
    static func parse(_ payload: [UInt8]) -> Result<WebSocketMessage, WebSocketProtocolError> {
        Result { () throws(WebSocketProtocolError) in try WebSocketMessageAssembler.parseClose(payload) }
    }

    @Test("an empty close payload has no code and no reason")
    func emptyClose() {
        #expect(Self.parse([]) == .success(.close(code: nil, reason: "")))
    }

    @Test("a code and a UTF-8 reason are read in network byte order")
    func codeAndReason() {
        #expect(Self.parse([0x03, 0xE9] + Array("bye ✓".utf8)) == .success(.close(code: .goingAway, reason: "bye ✓")))
    }

    @Test("a one-byte close payload closes with 1002")
    func oneBytePayloadCloses1002() {
        #expect(Self.parse([0x03]) == .failure(.invalidClosePayload))
        #expect(WebSocketProtocolError.invalidClosePayload.closeCode == .protocolError)
    }

    @Test("codes that may not be sent close with 1002", arguments: [
        0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
    ] as [UInt16])
    func invalidCodesClose1002(code: UInt16) {
        #expect(Self.parse([UInt8(code >> 8), UInt8(code & 0xFF)]) == .failure(.invalidCloseCode(code)))
    }

    @Test("assigned and private codes are accepted", arguments: [
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999,
    ] as [UInt16])
    func validCodesAccepted(code: UInt16) {
        #expect(Self.parse([UInt8(code >> 8), UInt8(code & 0xFF)]) == .success(.close(code: CloseCode(rawValue: code), reason: "")))
    }

    @Test("a close reason that is not UTF-8 closes with 1007")
    func invalidReasonCloses1007() {
        #expect(Self.parse([0x03, 0xE8, 0xCE, 0xBA, 0xE1, 0xBD]) == .failure(.invalidUTF8))
        #expect(Self.parse([0x03, 0xE8, 0xED, 0xA0, 0x80]) == .failure(.invalidUTF8))
    }

    @Test("every close reason in the table fits in a control frame")
    func reasonsFit() {
        let reasons: [CloseReason] = [
            .normal, .serverShuttingDown, .outboundLimitExceeded, .pongTimeout, .internalError, .policyViolation,
            .unmaskedFrame, .reservedBitsSet, .reservedOpcode, .fragmentedControlFrame, .controlFrameTooLong,
            .invalidPayloadLength, .unexpectedContinuation, .expectedContinuation, .invalidClosePayload,
            .invalidCloseCode, .unsupportedData, .invalidUTF8, .invalidCompressedData, .frameTooBig, .messageTooBig,
        ]
        for reason in reasons {
            var out: [UInt8] = []
            WebSocketFrameEncoder.encodeClose(code: .protocolError, reason: reason, into: &out)
            #expect(out.count <= 127, "\(reason)")
        }
    }
}
