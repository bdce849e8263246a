import TestSupport
import Testing
import WebSocket

struct UTF8ValidatorTests {
    /// Validates `bytes` under every split; returns whether each split accepted all of them
    /// and ended on a character boundary.
    static func isValid(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let verdicts = ByteSplit.standard().map { split in
            var validator = UTF8Validator()
            return split.chunks(of: bytes).allSatisfy { chunk in validator.validate(Array(chunk)) } && validator.isComplete
        }
        #expect(Set(verdicts).count == 1, "splits disagree", sourceLocation: sourceLocation)
        return verdicts[0]
    }

    @Test("ASCII and valid 2-, 3- and 4-byte characters are accepted", arguments: [
        "plain ASCII text that is longer than eight bytes", "ü", "κόσμε", "€", "\u{FFFD}", "𝄞", "\u{10FFFF}", "\u{D7FF}", "\u{E000}",
        "mixed ascii, Grüße, 日本語 and 🎉 emoji",
    ])
    func validTextAccepted(text: String) {
        #expect(Self.isValid(Array(text.utf8)))
    }

    @Test("overlong forms, surrogates, code points above U+10FFFF and stray bytes are rejected", arguments: [
        [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xE0, 0x9F, 0xBF], [0xF0, 0x80, 0x80, 0xAF], [0xF0, 0x8F, 0xBF, 0xBF],
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE],
        [0x80], [0xBF], [0x41, 0xC3, 0x41],
    ] as [[UInt8]])
    func invalidSequencesRejected(bytes: [UInt8]) {
        #expect(!Self.isValid(bytes))
    }

    @Test("a text truncated in the middle of a character is not complete", arguments: [
        [0xC3], [0xE2, 0x82], [0xF0, 0x9D, 0x84], [0x41, 0x42, 0xCE, 0xBA, 0xE1],
    ] as [[UInt8]])
    func truncatedIsIncomplete(bytes: [UInt8]) {
        var validator = UTF8Validator()
        let accepted = validator.validate(bytes)
        #expect(accepted)
        #expect(!validator.isComplete)
    }

    @Test("the invalid byte is reported in the piece that carries it, after valid pieces")
    func failsFastInTheOffendingPiece() {
        var validator = UTF8Validator()
        let firstAccepted = validator.validate(Array("κόσμε".utf8) + [0xCE])
        let secondAccepted = validator.validate([0x41])
        #expect(firstAccepted)
        #expect(!secondAccepted)
    }

    @Test("an invalid byte after eight ASCII bytes is still caught")
    func invalidAfterAsciiRun() {
        #expect(!Self.isValid(Array("12345678".utf8) + [0xF8] + Array("abcdefgh".utf8)))
    }
}
