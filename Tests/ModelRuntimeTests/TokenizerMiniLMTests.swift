import Foundation
import ModelRuntime
import Testing

/// Where the real all-MiniLM-L6-v2 lives for tests: `MODELD_TEST_MODEL_DIR`, then
/// `models/all-minilm-l6-v2` in the repository, then `/work/minilm`; nil when none has a
/// tokenizer, and the tests that need it are skipped.
enum TokenizerTestModel {
    static let directory: String? = {
        let repositoryRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let candidates = [
            ProcessInfo.processInfo.environment["MODELD_TEST_MODEL_DIR"],
            repositoryRoot + "/models/all-minilm-l6-v2",
            "/work/minilm",
        ]
        return candidates.compactMap { $0 }.first { directory in
            FileManager.default.fileExists(atPath: directory + "/tokenizer.json")
                || FileManager.default.fileExists(atPath: directory + "/vocab.txt")
        }
    }()

    static let isAvailable = directory != nil
    static let skipReason: Comment =
        "all-MiniLM-L6-v2 not found (set MODELD_TEST_MODEL_DIR or put it in models/all-minilm-l6-v2)"
}

/// The tokenizer of the real all-MiniLM-L6-v2, against ids the Hugging Face tokenizer gives.
@Suite(.enabled(if: TokenizerTestModel.isAvailable, TokenizerTestModel.skipReason))
struct TokenizerMiniLMTests {
    let tokenizer: BertTokenizer

    init() throws {
        tokenizer = try BertTokenizer.load(directory: TokenizerTestModel.directory ?? "")
    }

    @Test("loads tokenizer.json: 30522 ids, lower-casing, [CLS] 101 [SEP] 102 [PAD] 0 [UNK] 100")
    func loadsTokenizerJSON() {
        #expect(tokenizer.vocabularySize == 30522)
        #expect(tokenizer.classifierID == 101)
        #expect(tokenizer.separatorID == 102)
        #expect(tokenizer.paddingID == 0)
        #expect(tokenizer.unknownID == 100)
        #expect(tokenizer.truncationMaxLength == 128)
        let summary = Dictionary(uniqueKeysWithValues: tokenizer.summary.map { ($0.key, $0.value) })
        #expect(summary["vocab_size"] == "30522")
        #expect(summary["lowercase"] == "true")
    }

    @Test("gives Hugging Face's ids for known sentences", arguments: [
        ("Hello, world!", [101, 7592, 1010, 2088, 999, 102]),
        ("abc[SEP]def [sep]", [101, 5925, 102, 13366, 1031, 19802, 1033, 102]),
        ("İstanbul ǅ ß Σίσυφος", [101, 9960, 100, 1096, 1173, 18199, 29733, 29735, 29736, 15297, 102]),
        ("🥰 🤗 😀", [101, 100, 100, 100, 102]),
        ("x\u{1}y\u{B}z\u{85}w", [101, 1060, 2100, 2480, 2860, 102]),
        ("a\u{AD}b", [101, 11113, 102]),
    ] as [(String, [Int32])])
    func knownSentences(text: String, ids: [Int32]) {
        #expect(tokenizer.encode(text, maxLength: 512) == ids)
    }

    @Test("vocab.txt with tokenizer_config.json gives the same ids as tokenizer.json")
    func vocabFilesMatchTokenizerJSON() throws {
        let source = try #require(TokenizerTestModel.directory)
        let directory = try TokenizerTemporaryDirectory()
        for file in ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(atPath: source + "/" + file, toPath: directory.path + "/" + file)
        }
        let legacy = try BertTokenizer.load(directory: directory.path)
        let texts = ["Hello, world!", "CAFÉ [SEP] naïve", "东京 and 北京", String(repeating: "ab", count: 80)]
        for text in texts {
            #expect(legacy.encode(text, maxLength: 256) == tokenizer.encode(text, maxLength: 256))
        }
        #expect(legacy.summary.first { $0.key == "tokenizer" }?.value == "vocab.txt")
    }
}
