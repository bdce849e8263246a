import Foundation

extension TokenizerConfiguration {
    /// The configuration for a model that ships `vocab.txt` instead of `tokenizer.json`,
    /// from `tokenizer_config.json` (`do_lower_case`, `strip_accents`,
    /// `tokenize_chinese_chars`, token names) and `special_tokens_map.json`; both optional,
    /// with BERT's defaults. The special tokens become added tokens, as `transformers` does
    /// when it converts such a model to a fast tokenizer.
    static func parseVocabFiles(tokenizerConfig: Data?, specialTokensMap: Data?) throws(ModelRuntimeError) -> TokenizerConfiguration {
        var configuration = TokenizerConfiguration(source: "vocab.txt")
        let settings = try object(tokenizerConfig, file: "tokenizer_config.json")
        let specials = try object(specialTokensMap, file: "special_tokens_map.json")
        configuration.lowercases = settings["do_lower_case"] as? Bool ?? true
        configuration.stripsAccents = settings["strip_accents"] as? Bool
        configuration.separatesChineseCharacters = settings["tokenize_chinese_chars"] as? Bool ?? true

        func tokenName(_ key: String) -> String? {
            // A token is either a string or an AddedToken object with "content".
            for source in [specials, settings] {
                if let name = source[key] as? String { return name }
                if let name = (source[key] as? [String: Any])?["content"] as? String { return name }
            }
            return nil
        }
        if let name = tokenName("unk_token") { configuration.unknownToken = name }
        if let name = tokenName("cls_token") { configuration.classifierToken = name }
        if let name = tokenName("sep_token") { configuration.separatorToken = name }
        if let name = tokenName("pad_token") { configuration.paddingToken = name }
        let mask = tokenName("mask_token") ?? "[MASK]"
        configuration.specialTokenNames = [configuration.paddingToken, configuration.unknownToken,
                                           configuration.classifierToken, configuration.separatorToken, mask]
        return configuration
    }

    private static func object(_ data: Data?, file: String) throws(ModelRuntimeError) -> [String: Any] {
        guard let data else { return [:] }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .tokenizerInvalid(file: file, "not a JSON object")
        }
        return object
    }
}
