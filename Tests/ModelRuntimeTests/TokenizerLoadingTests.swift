import Foundation
import ModelRuntime
import Testing

/// A fresh directory under the system temporary directory, removed on deinit.
final class TokenizerTemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/modeld-tokenizer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ contents: String) throws {
        try contents.write(toFile: path + "/" + name, atomically: false, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Loading from either file layout, and the errors for missing or unusable files.
struct TokenizerLoadingTests {
    static let vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\ncafé\n##s\n"

    static func tokenizerJSON(normalizer: String = #"{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":false,"lowercase":true}"#,
                              postProcessor: String = #"{"type":"BertProcessing","sep":["[SEP]",3],"cls":["[CLS]",2]}"#) -> String {
        """
        {"version":"1.0","truncation":null,"padding":null,
         "added_tokens":[{"id":3,"content":"[SEP]","special":true,"normalized":false}],
         "normalizer":\(normalizer),"pre_tokenizer":{"type":"BertPreTokenizer"},
         "post_processor":\(postProcessor),
         "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##",
                  "max_input_chars_per_word":100,
                  "vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"hello":4,"café":5,"##s":6}}}
        """
    }

    @Test("loads vocab.txt alone with BERT's defaults: lower-case, strip accents, [SEP] literal")
    func loadsVocabTextAlone() throws {
        let directory = try TokenizerTemporaryDirectory()
        try directory.write("vocab.txt", Self.vocab)
        let tokenizer = try BertTokenizer.load(directory: directory.path)
        #expect(tokenizer.vocabularySize == 9)
        #expect(tokenizer.encode("HELLO[SEP]World", maxLength: 16) == [2, 5, 3, 6, 3])
        // Accents are stripped by default, so "café" cannot match its own entry.
        #expect(tokenizer.encode("café", maxLength: 16) == [2, 1, 3])
    }

    @Test("tokenizer_config.json turns off lower-casing and accent stripping")
    func readsTokenizerConfig() throws {
        let directory = try TokenizerTemporaryDirectory()
        try directory.write("vocab.txt", Self.vocab)
        try directory.write("tokenizer_config.json", #"{"do_lower_case": false, "strip_accents": null}"#)
        let tokenizer = try BertTokenizer.load(directory: directory.path)
        #expect(tokenizer.encode("hello café Hello", maxLength: 16) == [2, 5, 7, 1, 3])
    }

    @Test("tokenizer.json wins over vocab.txt and its normalizer settings apply")
    func prefersTokenizerJSON() throws {
        let directory = try TokenizerTemporaryDirectory()
        try directory.write("vocab.txt", "[UNK]\n")
        try directory.write("tokenizer.json", Self.tokenizerJSON())
        let tokenizer = try BertTokenizer.load(directory: directory.path)
        #expect(tokenizer.vocabularySize == 7)
        #expect(tokenizer.encode("Hello CAFÉs[SEP]", maxLength: 16) == [2, 4, 5, 6, 3, 3])
        #expect(tokenizer.paddingID == 0)
    }

    @Test("reads [CLS] and [SEP] ids from a TemplateProcessing post-processor")
    func readsTemplateProcessing() throws {
        let directory = try TokenizerTemporaryDirectory()
        let template = #"""
            {"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"[SEP]","type_id":0}},
             {"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[CLS]","type_id":0}}],
             "special_tokens":{"[CLS]":{"id":"[CLS]","ids":[2],"tokens":["[CLS]"]},
                               "[SEP]":{"id":"[SEP]","ids":[3],"tokens":["[SEP]"]}}}
            """#
        try directory.write("tokenizer.json", Self.tokenizerJSON(postProcessor: template))
        let tokenizer = try BertTokenizer.load(directory: directory.path)
        #expect(tokenizer.encode("hello", maxLength: 8) == [3, 4, 2])
    }

    @Test("a folder without tokenizer files fails with tokenizer_missing")
    func missingFilesFail() throws {
        let directory = try TokenizerTemporaryDirectory()
        #expect(throws: ModelRuntimeError.self) { try BertTokenizer.load(directory: directory.path) }
        do {
            _ = try BertTokenizer.load(directory: directory.path)
        } catch {
            #expect(error.code == "tokenizer_missing")
        }
    }

    @Test("malformed or unsupported tokenizer.json fails with tokenizer_invalid", arguments: [
        "not json",
        #"{"model":{"type":"BPE","vocab":{}}}"#,
        tokenizerJSON(normalizer: #"{"type":"NFKC"}"#),
        tokenizerJSON(postProcessor: #"{"type":"RobertaProcessing"}"#),
        tokenizerJSON(postProcessor: #"{"type":"BertProcessing","sep":["[SEP]",3],"cls":["<s>"]}"#),
        tokenizerJSON().replacingOccurrences(of: #""[UNK]":1,"#, with: ""),
    ])
    func invalidTokenizerJSONFails(contents: String) throws {
        let directory = try TokenizerTemporaryDirectory()
        try directory.write("tokenizer.json", contents)
        do {
            _ = try BertTokenizer.load(directory: directory.path)
            Issue.record("loaded an invalid tokenizer.json")
        } catch {
            #expect(error.code == "tokenizer_invalid")
        }
    }
}
