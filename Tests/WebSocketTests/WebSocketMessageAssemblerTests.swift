import TestSupport
import Testing
import WebSocket

/// Feeds `frames` to a fresh assembler and returns the messages and the first error.
func assemble(
    _ frames: [WebSocketFrame], limits: WebSocketLimits = WebSocketLimits(), inflater: Inflater? = nil
) -> (messages: [WebSocketMessage], error: WebSocketProtocolError?) {
    var assembler = WebSocketMessageAssembler(limits: limits, inflater: inflater)
    var messages: [WebSocketMessage] = []
    for frame in frames {
        do throws(WebSocketProtocolError) {
            if let message = try assembler.frameReceived(frame) { messages.append(message) }
        } catch {
            return (messages, error)
        }
    }
    return (messages, nil)
}

struct WebSocketMessageAssemblerTests {
    static func text(_ string: String, fin: Bool = true) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: .text, payload: Array(string.utf8))
    }

    static func more(_ bytes: [UInt8], fin: Bool = true) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: .continuation, payload: bytes)
    }

    @Test("single-frame text and binary messages come out whole")
    func singleFrameMessages() {
        let result = assemble([Self.text("Hello"), WebSocketFrame(opcode: .binary, payload: [0, 0xFF])])
        #expect(result.error == nil)
        #expect(result.messages == [.text(Array("Hello".utf8)), .binary([0, 0xFF])])
    }

    @Test("fragments are joined, with pings and pongs between them delivered at once")
    func fragmentsWithControlFramesBetween() {
        let frames = [
            Self.text("Hel", fin: false), WebSocketFrame(opcode: .ping, payload: [1]),
            Self.more(Array("l".utf8), fin: false), WebSocketFrame(opcode: .pong, payload: []), Self.more(Array("o".utf8)),
        ]
        let result = assemble(frames)
        #expect(result.error == nil)
        #expect(result.messages == [.ping([1]), .pong([]), .text(Array("Hello".utf8))])
    }

    @Test("a close frame between fragments is delivered (Autobahn 7.1.5)")
    func closeBetweenFragments() {
        let result = assemble([Self.text("Hel", fin: false), WebSocketFrame(opcode: .close, payload: [0x03, 0xE8])])
        #expect(result.messages == [.close(code: .normalClosure, reason: "")])
    }

    @Test("a continuation frame with no message open closes with 1002")
    func continuationWithoutMessageCloses1002() {
        #expect(assemble([Self.more([1])]).error == .unexpectedContinuation)
        #expect(assemble([Self.text("a"), Self.more([1])]).error == .unexpectedContinuation)
        #expect(WebSocketProtocolError.unexpectedContinuation.closeCode == .protocolError)
    }

    @Test("a new data frame while a fragmented message is open closes with 1002")
    func dataFrameInsideMessageCloses1002() {
        let result = assemble([Self.text("a", fin: false), WebSocketFrame(opcode: .binary, payload: [1])])
        #expect(result.error == .expectedContinuation)
        #expect(WebSocketProtocolError.expectedContinuation.closeCode == .protocolError)
    }

    @Test("a reassembled message over maxMessageBytes closes with 1009; exactly the limit passes")
    func messageLimitCloses1009() {
        let limits = WebSocketLimits(maxMessageBytes: 10)
        let exact = assemble([WebSocketFrame(fin: false, opcode: .binary, payload: Array(repeating: 1, count: 6)),
                              Self.more(Array(repeating: 2, count: 4))], limits: limits)
        #expect(exact.messages == [.binary(Array(repeating: 1, count: 6) + Array(repeating: 2, count: 4))])
        let over = assemble([WebSocketFrame(fin: false, opcode: .binary, payload: Array(repeating: 1, count: 6)),
                             Self.more(Array(repeating: 2, count: 5), fin: false)], limits: limits)
        #expect(over.error == .messageTooBig)
        #expect(assemble([Self.text("eleven char")], limits: limits).error == .messageTooBig)
        #expect(WebSocketProtocolError.messageTooBig.closeCode == .messageTooBig)
    }

    @Test("invalid UTF-8 in the middle of a fragmented text closes with 1007 at that fragment")
    func invalidUTF8MidMessageFailsFast() {
        let frames = [Self.text("κό", fin: false), Self.more([0xCF, 0x83, 0xED, 0xA0, 0x80], fin: false)]
        let result = assemble(frames)
        #expect(result.error == .invalidUTF8)
        #expect(WebSocketProtocolError.invalidUTF8.closeCode == .invalidPayloadData)
    }

    @Test("a character split across fragments is valid; a text ending mid-character is 1007")
    func characterAcrossFragments() {
        let euro = Array("€".utf8)
        let split = assemble([WebSocketFrame(fin: false, opcode: .text, payload: [euro[0]]), Self.more([euro[1]], fin: false),
                              Self.more([euro[2]])])
        #expect(split.messages == [.text(euro)])
        #expect(assemble([WebSocketFrame(fin: false, opcode: .text, payload: [euro[0]]), Self.more([euro[1]])]).error == .invalidUTF8)
        #expect(assemble([WebSocketFrame(opcode: .text, payload: [euro[0], euro[1]])]).error == .invalidUTF8)
    }

    @Test("binary messages are not checked as UTF-8")
    func binaryNotValidated() {
        #expect(assemble([WebSocketFrame(opcode: .binary, payload: [0xFF, 0xC0])]).messages == [.binary([0xFF, 0xC0])])
    }

    @Test("a compressed frame without a negotiated inflater closes with 1002")
    func compressedWithoutInflaterCloses1002() {
        #expect(assemble([WebSocketFrame(rsv1: true, opcode: .text, payload: [0x00])]).error == .reservedBitsSet)
    }
}
