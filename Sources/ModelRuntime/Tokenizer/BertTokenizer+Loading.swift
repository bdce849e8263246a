import Foundation

extension BertTokenizer {
    /// Loads the tokenizer of the model in `directory`: `tokenizer.json` (Hugging Face
    /// `tokenizers` format) when present, otherwise `vocab.txt` with the optional
    /// `tokenizer_config.json` and `special_tokens_map.json`. Blocking file I/O.
    public static func load(directory: String) throws(ModelRuntimeError) -> BertTokenizer {
        let tokenizerJSON = directory + "/tokenizer.json"
        if let data = FileManager.default.contents(atPath: tokenizerJSON) {
            let (configuration, vocabulary) = try TokenizerConfiguration.parseTokenizerJSON(data)
            return try BertTokenizer(configuration: configuration, vocabulary: vocabulary)
        }
        guard let vocabData = FileManager.default.contents(atPath: directory + "/vocab.txt") else {
            throw .tokenizerMissing(directory: directory)
        }
        guard let vocabText = String(data: vocabData, encoding: .utf8) else {
            throw .tokenizerInvalid(file: "vocab.txt", "not UTF-8")
        }
        let configuration = try TokenizerConfiguration.parseVocabFiles(
            tokenizerConfig: FileManager.default.contents(atPath: directory + "/tokenizer_config.json"),
            specialTokensMap: FileManager.default.contents(atPath: directory + "/special_tokens_map.json"))
        return try BertTokenizer(configuration: configuration, vocabulary: Vocabulary(vocabText: vocabText))
    }

    /// Builds a tokenizer from parsed files; fails if a special token is not in the
    /// vocabulary.
    init(configuration: TokenizerConfiguration, vocabulary: Vocabulary) throws(ModelRuntimeError) {
        func lookUp(_ token: String, given: Int32?) throws(ModelRuntimeError) -> Int32 {
            if let given, given >= 0, Int(given) < vocabulary.count { return given }
            guard let id = vocabulary.id(of: token) else {
                throw .tokenizerInvalid(file: configuration.source, "special token \(token) is not in the vocabulary")
            }
            return id
        }
        guard vocabulary.count > 0 else {
            throw .tokenizerInvalid(file: configuration.source, "the vocabulary is empty")
        }
        unknownID = try lookUp(configuration.unknownToken, given: nil)
        classifierID = try lookUp(configuration.classifierToken, given: configuration.classifierID)
        separatorID = try lookUp(configuration.separatorToken, given: configuration.separatorID)
        paddingID = try lookUp(configuration.paddingToken, given: configuration.paddingID)
        truncationMaxLength = configuration.truncationMaxLength
        self.vocabulary = vocabulary
        source = configuration.source
        basicTokenizer = BasicTokenizer(
            cleansText: configuration.cleansText,
            separatesChineseCharacters: configuration.separatesChineseCharacters,
            stripsAccents: configuration.stripsAccents ?? configuration.lowercases,
            lowercases: configuration.lowercases)
        wordPiece = WordPiece(vocabulary: vocabulary, continuationPrefix: configuration.continuationPrefix,
                              unknownID: unknownID,
                              maxInputCharactersPerWord: configuration.maxInputCharactersPerWord)
        let named = configuration.specialTokenNames.compactMap { name in
            vocabulary.id(of: name).map { (content: name, id: $0) }
        }
        specialTokens = SpecialTokenMatcher(tokens: configuration.addedTokens + named)
    }
}
