import Testing
import WSLoadCore

struct FrameDecoderTests {
    /// What the decoder reported, as values that outlive the callback.
    enum Seen: Equatable {
        case text([UInt8]), binary([UInt8]), ping([UInt8]), pong, close(UInt16?)
    }

    /// Decodes `bytes` fed in pieces of `split` bytes (0 = whole), keeping the unconsumed
    /// rest for the next piece as ws-load does.
    private func decode(_ bytes: [UInt8], split: Int = 0) throws -> (events: [Seen], leftover: Int) {
        var decoder = FrameDecoder()
        var seen: [Seen] = []
        var buffer: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let end = split == 0 ? bytes.count : min(bytes.count, offset + split)
            buffer += bytes[offset..<end]
            offset = end
            let consumed = try buffer.withUnsafeBytes { raw in
                try decoder.decode(raw) { event in
                    switch event {
                    case .text(let p): seen.append(.text(Array(p)))
                    case .binary(let p): seen.append(.binary(Array(p)))
                    case .ping(let p): seen.append(.ping(Array(p)))
                    case .pong: seen.append(.pong)
                    case .close(let code): seen.append(.close(code))
                    }
                }
            }
            buffer.removeFirst(consumed)
        }
        return (seen, buffer.count)
    }

    private let hello = Array("Hello".utf8)

    @Test("RFC 6455 §5.7 unmasked examples decode whole and byte by byte")
    func rfcExamples() throws {
        let single: [UInt8] = [0x81, 0x05] + hello
        let fragmented: [UInt8] = [0x01, 0x03, 0x48, 0x65, 0x6C, 0x80, 0x02, 0x6C, 0x6F]
        let ping: [UInt8] = [0x89, 0x05] + hello
        for split in [0, 1, 2, 3] {
            #expect(try decode(single, split: split).events == [.text(hello)])
            #expect(try decode(fragmented, split: split).events == [.text(hello)])
            #expect(try decode(ping, split: split).events == [.ping(hello)])
        }
    }

    @Test("16- and 64-bit lengths decode, and an incomplete frame is left unconsumed")
    func extendedLengths() throws {
        let medium = [UInt8](repeating: 0x61, count: 256)
        let large = [UInt8](repeating: 0x62, count: 65536)
        let frames: [UInt8] = [0x82, 126, 0x01, 0x00] + medium + [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0] + large
        #expect(try decode(frames).events == [.binary(medium), .binary(large)])
        #expect(try decode(Array(frames.dropLast())).leftover == 10 + 65535)
    }

    @Test("a ping between fragments is delivered at once; close reports its code")
    func controlInsideFragmentsAndClose() throws {
        let bytes: [UInt8] = [0x01, 0x02, 0x48, 0x65, 0x8A, 0x00, 0x80, 0x03, 0x6C, 0x6C, 0x6F, 0x88, 0x02, 0x03, 0xE8, 0x88, 0x00]
        #expect(try decode(bytes).events == [.pong, .text(hello), .close(1000), .close(nil)])
    }

    @Test("frames a client must refuse are errors")
    func protocolViolations() {
        let cases: [([UInt8], FrameError)] = [
            ([0xC1, 0x00], .reservedBitsSet),
            ([0x81, 0x85, 1, 2, 3, 4, 0, 0, 0, 0, 0], .maskedFrame),
            ([0x83, 0x00], .reservedOpcode(3)),
            ([0x8B, 0x00], .reservedOpcode(0xB)),
            ([0x81, 126, 0x00, 0x7D], .nonMinimalLength),
            ([0x81, 127, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF], .nonMinimalLength),
            ([0x81, 127, 0x80, 0, 0, 0, 0, 0, 0, 0], .lengthHighBitSet),
            ([0x89, 126, 0x00, 0x7E], .controlFrameTooLong),
            ([0x09, 0x00], .fragmentedControlFrame),
            ([0x80, 0x00], .unexpectedContinuation),
            ([0x01, 0x01, 0x41, 0x81, 0x00], .expectedContinuation),
            ([0x88, 0x01, 0x03], .invalidClosePayload),
            ([0x82, 127, 0, 0, 0, 0, 0x10, 0, 0, 0], .messageTooLarge),
        ]
        for (bytes, expected) in cases {
            #expect(throws: expected) { try decode(bytes) }
        }
    }
}
