import Foundation

extension TokenizerConfiguration {
    /// Parses a Hugging Face `tokenizer.json` describing a BERT tokenizer: a `WordPiece`
    /// model, a `BertNormalizer` (or none), a `BertPreTokenizer`, and a `TemplateProcessing`
    /// or `BertProcessing` post-processor that wraps a sequence in one `[CLS]` and one `[SEP]`.
    static func parseTokenizerJSON(_ data: Data) throws(ModelRuntimeError) -> (TokenizerConfiguration, Vocabulary) {
        let file = "tokenizer.json"
        func invalid(_ reason: String) -> ModelRuntimeError { .tokenizerInvalid(file: file, reason) }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw invalid("not a JSON object")
        }
        var configuration = TokenizerConfiguration(source: file)

        guard let model = root["model"] as? [String: Any], model["type"] as? String == "WordPiece",
              let vocab = model["vocab"] as? [String: Any] else {
            throw invalid("model is not WordPiece with a vocab")
        }
        var entries: [(token: String, id: Int32)] = []
        entries.reserveCapacity(vocab.count)
        for (token, value) in vocab {
            guard let id = value as? Int, id >= 0, id < Int(Int32.max) else {
                throw invalid("vocab id of \(token) is not a non-negative integer")
            }
            entries.append((token, Int32(id)))
        }
        if let unknown = model["unk_token"] as? String { configuration.unknownToken = unknown }
        if let prefix = model["continuing_subword_prefix"] as? String { configuration.continuationPrefix = prefix }
        if let limit = model["max_input_chars_per_word"] as? Int { configuration.maxInputCharactersPerWord = limit }

        try configuration.readNormalizer(root["normalizer"], invalid: invalid)
        if let preTokenizer = root["pre_tokenizer"] as? [String: Any],
           preTokenizer["type"] as? String != "BertPreTokenizer" {
            throw invalid("unsupported pre_tokenizer \(preTokenizer["type"] ?? "?")")
        }
        try configuration.readPostProcessor(root["post_processor"], invalid: invalid)
        if let padding = root["padding"] as? [String: Any] {
            if let token = padding["pad_token"] as? String { configuration.paddingToken = token }
            if let id = padding["pad_id"] as? Int { configuration.paddingID = Int32(clamping: id) }
        }
        configuration.truncationMaxLength = (root["truncation"] as? [String: Any])?["max_length"] as? Int
        for case let token as [String: Any] in root["added_tokens"] as? [Any] ?? [] {
            guard let content = token["content"] as? String, let id = token["id"] as? Int else {
                throw invalid("an added token lacks content or id")
            }
            configuration.addedTokens.append((content, Int32(clamping: id)))
        }
        return (configuration, Vocabulary(entries: entries))
    }

    private mutating func readNormalizer(_ value: Any?, invalid: (String) -> ModelRuntimeError) throws(ModelRuntimeError) {
        guard let normalizer = value as? [String: Any] else {
            // No normalizer: the text reaches the pre-tokenizer untouched.
            cleansText = false
            separatesChineseCharacters = false
            stripsAccents = false
            lowercases = false
            return
        }
        guard normalizer["type"] as? String == "BertNormalizer" else {
            throw invalid("unsupported normalizer \(normalizer["type"] ?? "?")")
        }
        cleansText = normalizer["clean_text"] as? Bool ?? true
        separatesChineseCharacters = normalizer["handle_chinese_chars"] as? Bool ?? true
        stripsAccents = normalizer["strip_accents"] as? Bool
        lowercases = normalizer["lowercase"] as? Bool ?? true
    }

    private mutating func readPostProcessor(_ value: Any?, invalid: (String) -> ModelRuntimeError) throws(ModelRuntimeError) {
        guard let processor = value as? [String: Any] else { return }
        switch processor["type"] as? String {
        case "BertProcessing":
            // "cls": ["[CLS]", 101], "sep": ["[SEP]", 102]
            guard let cls = processor["cls"] as? [Any], let sep = processor["sep"] as? [Any],
                  cls.count == 2, sep.count == 2,
                  let clsToken = cls[0] as? String, let clsID = cls[1] as? Int,
                  let sepToken = sep[0] as? String, let sepID = sep[1] as? Int else {
                throw invalid("malformed BertProcessing post_processor")
            }
            (classifierToken, classifierID) = (clsToken, Int32(clamping: clsID))
            (separatorToken, separatorID) = (sepToken, Int32(clamping: sepID))
        case "TemplateProcessing":
            // The single-sequence template must be one special token, the sequence, one
            // special token: the shape `encode` produces.
            guard let single = processor["single"] as? [Any], single.count == 3,
                  (single[1] as? [String: Any])?["Sequence"] != nil,
                  let first = Self.templateSpecialToken(single[0], processor),
                  let last = Self.templateSpecialToken(single[2], processor) else {
                throw invalid("the TemplateProcessing single template is not [CLS] $A [SEP]")
            }
            (classifierToken, classifierID) = (first.token, first.id)
            (separatorToken, separatorID) = (last.token, last.id)
        default:
            throw invalid("unsupported post_processor \(processor["type"] ?? "?")")
        }
    }

    private static func templateSpecialToken(_ item: Any, _ processor: [String: Any]) -> (token: String, id: Int32)? {
        guard let name = ((item as? [String: Any])?["SpecialToken"] as? [String: Any])?["id"] as? String,
              let special = (processor["special_tokens"] as? [String: Any])?[name] as? [String: Any],
              let ids = special["ids"] as? [Int], ids.count == 1 else {
            return nil
        }
        return (name, Int32(clamping: ids[0]))
    }
}
