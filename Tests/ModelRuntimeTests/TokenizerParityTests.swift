import Foundation
import ModelRuntime
import Testing

/// Identical ids to Hugging Face `tokenizers` on the corpus `Tests/e2e/tools/tokenizer_parity.py`
/// writes: the committed fixture, plus the file `MODELD_TOKENIZER_PARITY_FILE` names if set.
@Suite(.enabled(if: TokenizerTestModel.isAvailable, TokenizerTestModel.skipReason))
struct TokenizerParityTests {
    struct Line: Decodable {
        var text: String
        var ids: [Int32]
    }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizer-parity-minilm.jsonl").path

    static func readLines(_ path: String) throws -> [Line] {
        let contents = try String(contentsOfFile: path, encoding: .utf8)
        let decoder = JSONDecoder()
        return try contents.split(separator: "\n").map { line in
            try decoder.decode(Line.self, from: Data(line.utf8))
        }
    }

    static func checkParity(_ path: String) throws {
        let tokenizer = try BertTokenizer.load(directory: TokenizerTestModel.directory ?? "")
        let lines = try readLines(path)
        var mismatches = 0
        for line in lines {
            let ids = tokenizer.encode(line.text, maxLength: Int.max)
            if ids != line.ids {
                mismatches += 1
                if mismatches <= 10 {
                    Issue.record("\(line.text.debugDescription): expected \(line.ids), got \(ids)")
                }
            }
        }
        #expect(mismatches == 0, "\(lines.count - mismatches)/\(lines.count) identical in \(path)")
        #expect(lines.count > 0)
    }

    @Test("every line of the committed Hugging Face fixture gets identical ids")
    func committedFixture() throws {
        try Self.checkParity(Self.fixture)
    }

    @Test("every line of MODELD_TOKENIZER_PARITY_FILE gets identical ids",
          .enabled(if: ProcessInfo.processInfo.environment["MODELD_TOKENIZER_PARITY_FILE"] != nil,
                   "MODELD_TOKENIZER_PARITY_FILE is not set"))
    func extraCorpus() throws {
        try Self.checkParity(ProcessInfo.processInfo.environment["MODELD_TOKENIZER_PARITY_FILE"] ?? "")
    }
}
