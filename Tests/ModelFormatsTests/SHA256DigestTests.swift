import ModelFormats
import Testing

/// FIPS 180-2 Appendix B test vectors, fed whole and in pieces.
struct SHA256DigestTests {
    private static func digest(_ text: String) -> String {
        SHA256Digest.hex(SHA256Digest.hash(Array(text.utf8)))
    }

    @Test("the one-block message \"abc\" hashes to the FIPS 180 value")
    func abc() {
        #expect(Self.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("the empty message hashes to the known value")
    func empty() {
        #expect(Self.digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var digest = SHA256Digest()
        digest.update(UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(digest.finalizeHex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("the 448-bit two-block message hashes to the FIPS 180 value")
    func twoBlockMessage() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(message.utf8.count * 8 == 448)
        #expect(Self.digest(message) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("one million 'a' fed in seeded random chunks hashes to the FIPS 180 value")
    func millionAInRandomChunks() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var rng = SeededGenerator(seed: 180)
        var digest = SHA256Digest()
        var offset = 0
        message.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let length = min(Int.random(in: 0...9000, using: &rng), bytes.count - offset)
                digest.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]))
                offset += length
            }
        }
        #expect(digest.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("byte-by-byte feeding gives the same digest as one update")
    func byteByByteMatchesWhole() {
        let message = Array("The quick brown fox jumps over the lazy dog".utf8)
        var digest = SHA256Digest()
        for byte in message { digest.update([byte]) }
        let bytes = digest.finalize()
        #expect(bytes.count == SHA256Digest.byteCount)
        #expect(bytes == SHA256Digest.hash(message))
        #expect(SHA256Digest.hex(bytes) == "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592")
    }

    @Test("hex spells every byte as two lower-case digits")
    func hexEncoding() {
        #expect(SHA256Digest.hex([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
        #expect(SHA256Digest.hex([]) == "")
    }
}
