@testable import ModelRuntime
import Testing

/// BERT tokenization rules on a small hand-made vocabulary, so each rule is visible.
struct TokenizerRulesTests {
    static let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
        "cafe", "naive", "un", "##aff", "##able", "hello", "world", ",", "!", "$", "^", "`", "«", "»",
        "你", "好", "a", "##a", "b", "##b", "x", "##x", "caf", "##é", "Hello", "[", "]", "sep",
        "\u{166D}", "\u{11938}",
    ]

    static func makeTokenizer(lowercases: Bool = true, stripsAccents: Bool? = nil) throws -> BertTokenizer {
        var configuration = TokenizerConfiguration(source: "test")
        configuration.lowercases = lowercases
        configuration.stripsAccents = stripsAccents
        configuration.specialTokenNames = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        let entries = vocabulary.enumerated().map { (token: $0.element, id: Int32($0.offset)) }
        return try BertTokenizer(configuration: configuration, vocabulary: Vocabulary(entries: entries))
    }

    /// The tokens `tokenize` gives, as strings, for readable expectations.
    static func pieces(_ text: String, _ tokenizer: BertTokenizer) -> [String] {
        tokenizer.tokenize(text).map { vocabulary[Int($0)] }
    }

    @Test("lower-cases and strips accents through NFD when strip_accents is unset")
    func lowercasesAndStripsAccents() throws {
        let tokenizer = try Self.makeTokenizer()
        #expect(Self.pieces("CAFÉ Naïve cafe\u{301}", tokenizer) == ["cafe", "naive", "cafe"])
    }

    @Test("keeps accents when lower-casing with strip_accents false, and case when not lower-casing")
    func accentAndCaseOptions() throws {
        let keepsAccents = try Self.makeTokenizer(stripsAccents: false)
        #expect(Self.pieces("CAFÉ", keepsAccents) == ["caf", "##é"])
        let keepsCase = try Self.makeTokenizer(lowercases: false)
        #expect(Self.pieces("Hello hello", keepsCase) == ["Hello", "hello"])
    }

    @Test("splits words into the longest pieces with ## continuations")
    func wordPieceContinuations() throws {
        let tokenizer = try Self.makeTokenizer()
        #expect(Self.pieces("unaffable", tokenizer) == ["un", "##aff", "##able"])
        #expect(Self.pieces("aaab", tokenizer) == ["a", "##a", "##a", "##b"])
    }

    @Test("a word with a piece outside the vocabulary becomes one [UNK]")
    func unknownPieceMakesWholeWordUnknown() throws {
        let tokenizer = try Self.makeTokenizer()
        #expect(Self.pieces("unaffablez hello", tokenizer) == ["[UNK]", "hello"])
        #expect(Self.pieces("zebra", tokenizer) == ["[UNK]"])
    }

    @Test("words of more than 100 scalars become [UNK]; 100 still split")
    func longWordsBecomeUnknown() throws {
        let tokenizer = try Self.makeTokenizer()
        #expect(tokenizer.tokenize(String(repeating: "x", count: 100)).count == 100)
        #expect(Self.pieces(String(repeating: "x", count: 101), tokenizer) == ["[UNK]"])
        // The limit is per word: the next word is unaffected.
        #expect(Self.pieces(String(repeating: "a", count: 101) + " b", tokenizer) == ["[UNK]", "b"])
    }

    @Test("isolates ASCII symbols as punctuation as well as Unicode P* characters")
    func punctuationIsIsolated() throws {
        let tokenizer = try Self.makeTokenizer()
        #expect(Self.pieces("hello,world!$^`«a»", tokenizer)
            == ["hello", ",", "world", "!", "$", "^", "`", "«", "a", "»"])
    }

    @Test("CJK ideographs become words of their own")
    func chineseCharactersAreSeparated() throws {
        let tokenizer = try Self.makeTokenizer()
        #expect(Self.pieces("hello你好world", tokenizer) == ["hello", "你", "好", "world"])
    }

    @Test("drops control characters, U+FFFD and format characters; splits on all whitespace")
    func cleansControlsAndWhitespace() throws {
        let tokenizer = try Self.makeTokenizer()
        #expect(Self.pieces("he\u{0}l\u{7}lo\u{FFFD}\u{200B}\tworld\u{3000}a\u{85}b", tokenizer)
            == ["hello", "world", "a", "##b"])
        #expect(tokenizer.tokenize(" \n\r\t\u{A0}\u{2028}").isEmpty)
    }

    @Test("follows tokenizers' Unicode 8.0 categories and its NFD tables for changed characters")
    func legacyUnicodeTables() throws {
        let tokenizer = try Self.makeTokenizer()
        // U+166D is punctuation in Unicode 8.0 (So today); U+11938 has no decomposition there.
        #expect(Self.pieces("a\u{166D}b \u{11938}", tokenizer) == ["a", "\u{166D}", "b", "\u{11938}"])
        // U+08D4 (Unicode 9.0) is an unassigned letter to tokenizers, so not stripped.
        #expect(Self.pieces("a\u{8D4}", tokenizer) == ["[UNK]"])
    }

    @Test("literal special tokens in the text are special ids; other casings are not")
    func literalSpecialTokens() throws {
        let tokenizer = try Self.makeTokenizer()
        #expect(Self.pieces("a[SEP]b [sep] [MASK]", tokenizer) == ["a", "[SEP]", "b", "[", "sep", "]", "[MASK]"])
    }

    @Test("encode wraps in [CLS] and [SEP] and truncates, keeping [SEP] last")
    func encodeTruncates() throws {
        let tokenizer = try Self.makeTokenizer()
        #expect(tokenizer.encode("hello world", maxLength: 512) == [2, 10, 11, 3])
        #expect(tokenizer.encode("hello world", maxLength: 3) == [2, 10, 3])
        #expect(tokenizer.encode("unaffable", maxLength: 4) == [2, 7, 8, 3])
        #expect(tokenizer.encode("hello", maxLength: 2) == [2, 3])
        #expect(tokenizer.encode("hello", maxLength: 0) == [2, 3])
        #expect(tokenizer.encode("", maxLength: 8) == [2, 3])
    }

    @Test("encodeBatch pads rows to the longest with [PAD] and masks the padding")
    func batchPadding() throws {
        let tokenizer = try Self.makeTokenizer()
        let batch = tokenizer.encodeBatch(["hello world", "", "hello"], maxLength: 128)
        #expect(batch.batchSize == 3)
        #expect(batch.sequenceLength == 4)
        #expect(batch.ids == [2, 10, 11, 3, 2, 3, 0, 0, 2, 10, 3, 0])
        #expect(batch.attentionMask == [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0])
        #expect(batch.tokenTypeIDs == [Int32](repeating: 0, count: 12))
        #expect(batch.tokenCounts == [4, 2, 3])
        #expect(tokenizer.encodeBatch([], maxLength: 8).ids.isEmpty)
    }
}
