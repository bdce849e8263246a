import TestSupport
import Testing
@testable import WebSocket

struct DeflateTests {
    static let hello = Array("Hello".utf8)
    /// RFC 7692 §7.2.3.1: "Hello" compressed, without the 00 00 ff ff tail.
    static let compressedHello: [UInt8] = [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]

    static func inflate(_ payloads: [[UInt8]], inflater: Inflater, limit: Int = 1 << 20) -> Result<[UInt8], WebSocketProtocolError> {
        Result { () throws(WebSocketProtocolError) in
            var output: [UInt8] = []
            for payload in payloads { try inflater.inflate(payload, into: &output, maxOutputBytes: limit) }
            try inflater.finishMessage(into: &output, maxOutputBytes: limit)
            return output
        }
    }

    /// Text that compresses well but not trivially.
    static func sampleText(bytes: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        let words = ["model", "load", "progress", "step", "bytes", "room", "{\"event\":", "42", "ünïcødé", "\n"]
        var text: [UInt8] = []
        while text.count < bytes { text += Array((words.randomElement(using: &generator)! + " ").utf8) }
        return text
    }

    @Test("RFC 7692 §7.2.3.1: \"Hello\" deflates to f2 48 cd c9 c9 07 00 and inflates back")
    func rfcHello() {
        #expect(Deflater().compress(Self.hello) == Self.compressedHello)
        #expect(Self.inflate([Self.compressedHello], inflater: Inflater(keepsContext: true)) == .success(Self.hello))
    }

    @Test("RFC 7692 §7.2.3.1: the compressed message split over two frames is reassembled")
    func rfcFragmentedHello() {
        let frames = [
            WebSocketFrame(fin: false, rsv1: true, opcode: .text, payload: [0xF2, 0x48, 0xCD]),
            WebSocketFrame(opcode: .continuation, payload: [0xC9, 0xC9, 0x07, 0x00]),
        ]
        let result = assemble(frames, inflater: Inflater(keepsContext: true))
        #expect(result.error == nil)
        #expect(result.messages == [.text(Self.hello)])
    }

    @Test("RFC 7692 §7.2.3.2: a kept window lets the second \"Hello\" refer to the first")
    func rfcSharedWindow() {
        let inflater = Inflater(keepsContext: true)
        #expect(Self.inflate([Self.compressedHello], inflater: inflater) == .success(Self.hello))
        #expect(Self.inflate([[0xF2, 0x00, 0x11, 0x00, 0x00]], inflater: inflater) == .success(Self.hello))
        let forgetful = Inflater(keepsContext: false)
        _ = Self.inflate([Self.compressedHello], inflater: forgetful)
        #expect(Self.inflate([[0xF2, 0x00, 0x11, 0x00, 0x00]], inflater: forgetful) == .failure(.invalidCompressedData))
    }

    @Test("RFC 7692 §7.2.3.3: a message in a stored block inflates")
    func rfcStoredBlock() {
        let payload: [UInt8] = [0x00, 0x05, 0x00, 0xFA, 0xFF, 0x48, 0x65, 0x6C, 0x6C, 0x6F]
        #expect(Self.inflate([payload], inflater: Inflater(keepsContext: false)) == .success(Self.hello))
    }

    @Test("RFC 7692 §7.2.3.4-5: BFINAL and two-block messages inflate, and the next message too", arguments: [
        [0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00],
        [0xF2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xCA, 0xC9, 0xC9, 0x07, 0x00],
    ] as [[UInt8]])
    func rfcBlockVariants(payload: [UInt8]) {
        let inflater = Inflater(keepsContext: true)
        #expect(Self.inflate([payload], inflater: inflater) == .success(Self.hello))
        #expect(Self.inflate([Self.compressedHello], inflater: inflater) == .success(Self.hello))
    }

    @Test("an empty message deflates to the single byte 00 and inflates to nothing")
    func emptyMessage() {
        #expect(Deflater().compress([]) == [0x00])
        #expect(Self.inflate([[0x00]], inflater: Inflater(keepsContext: true)) == .success([]))
    }

    @Test("without context takeover the same message compresses to the same bytes every time")
    func noContextTakeoverIsRepeatable() {
        let deflater = Deflater()
        let message = Self.sampleText(bytes: 5000, seed: 1)
        let first = deflater.compress(message)
        #expect(deflater.compress(Self.sampleText(bytes: 300, seed: 2)) != first)
        #expect(deflater.compress(message) == first)
        #expect(first.count < message.count / 2)
    }

    @Test("deflate then inflate round-trips at every window size and fragment split", arguments: [9, 12, 15])
    func roundTrip(windowBits: Int) {
        let deflater = Deflater(windowBits: windowBits)
        let inflater = Inflater(keepsContext: true)
        for (index, size) in [1, 63, 1000, 70000, 300_000].enumerated() {
            let message = Self.sampleText(bytes: size, seed: UInt64(index))
            let compressed = deflater.compress(message)
            let fragments = ByteSplit.random(seed: UInt64(size)).chunks(of: compressed).map(Array.init)
            #expect(Self.inflate(fragments, inflater: inflater) == .success(message), "\(size) bytes")
        }
    }

    @Test("a compression bomb closes with 1009 after inflating no more than the limit")
    func compressionBombCloses1009() {
        let bomb = Deflater().compress(Array(repeating: 0, count: 10_000_000))
        #expect(bomb.count < 20_000)
        let inflater = Inflater(keepsContext: true)
        let limit = 64 << 10
        var output: [UInt8] = []
        var caught: WebSocketProtocolError?
        do throws(WebSocketProtocolError) {
            try inflater.inflate(bomb, into: &output, maxOutputBytes: limit)
        } catch {
            caught = error
        }
        #expect(caught == .messageTooBig)
        #expect(inflater.messageOutputBytes <= limit + 1)
        #expect(output.count <= limit + 1)
    }

    @Test("a bomb split over fragments also closes with 1009 through the assembler")
    func fragmentedBombCloses1009() {
        let bomb = Deflater().compress(Array(repeating: UInt8(ascii: "a"), count: 2_000_000))
        let half = bomb.count / 2
        let frames = [
            WebSocketFrame(fin: false, rsv1: true, opcode: .text, payload: Array(bomb[..<half])),
            WebSocketFrame(opcode: .continuation, payload: Array(bomb[half...])),
        ]
        let result = assemble(frames, limits: WebSocketLimits(maxMessageBytes: 100_000), inflater: Inflater(keepsContext: false))
        #expect(result.error == .messageTooBig)
    }

    @Test("a message inflating to exactly the limit is accepted")
    func exactLimitAccepted() {
        let message = Self.sampleText(bytes: 4096, seed: 5)
        let frame = WebSocketFrame(rsv1: true, opcode: .text, payload: Deflater().compress(message))
        let result = assemble([frame], limits: WebSocketLimits(maxMessageBytes: message.count), inflater: Inflater(keepsContext: false))
        #expect(result.messages == [.text(message)])
        let tooSmall = assemble([frame], limits: WebSocketLimits(maxMessageBytes: message.count - 1), inflater: Inflater(keepsContext: false))
        #expect(tooSmall.error == .messageTooBig)
    }

    @Test("corrupt compressed data closes with 1007")
    func corruptDataCloses1007() {
        let result = assemble([WebSocketFrame(rsv1: true, opcode: .binary, payload: [0xFF, 0xFF, 0xFF])], inflater: Inflater(keepsContext: true))
        #expect(result.error == .invalidCompressedData)
        #expect(WebSocketProtocolError.invalidCompressedData.closeCode == .invalidPayloadData)
    }

    @Test("invalid UTF-8 inside a compressed text message closes with 1007")
    func compressedInvalidUTF8Closes1007() {
        let payload = Deflater().compress(Array("valid start ".utf8) + [0xED, 0xA0, 0x80])
        let result = assemble([WebSocketFrame(rsv1: true, opcode: .text, payload: payload)], inflater: Inflater(keepsContext: true))
        #expect(result.error == .invalidUTF8)
    }

    @Test("encodeMessage compresses at the threshold and the frame decodes back through a client")
    func encodeMessageThreshold() {
        let configuration = PerMessageDeflateConfiguration(compressionThresholdBytes: 64)
        let deflater = Deflater()
        var small: [UInt8] = []
        WebSocketFrameEncoder.encodeMessage(opcode: .text, payload: Array(repeating: 0x61, count: 63), deflater: deflater,
                                            configuration: configuration, into: &small)
        #expect(small.prefix(2) == [0x81, 63])
        let message = Self.sampleText(bytes: 2000, seed: 9)
        var large: [UInt8] = []
        WebSocketFrameEncoder.encodeMessage(opcode: .text, payload: message, deflater: deflater, configuration: configuration, into: &large)
        #expect(large[0] == 0xC1)
        let frames = decodeStream(large, split: .random(seed: 4), allowsCompressedFrames: true, requiresMaskedFrames: false).frames
        #expect(assemble(frames, inflater: Inflater(keepsContext: true)).messages == [.text(message)])
    }
}
