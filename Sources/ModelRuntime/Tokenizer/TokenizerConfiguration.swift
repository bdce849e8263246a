/// Everything a BERT tokenizer's files say, before the vocabulary is indexed: what
/// `BertTokenizer.load(directory:)` reads from `tokenizer.json`, or from `vocab.txt` with
/// `tokenizer_config.json` and `special_tokens_map.json`.
struct TokenizerConfiguration: Sendable {
    /// Which file the configuration came from, for the summary (`tokenizer.json` or `vocab.txt`).
    var source: String
    var cleansText = true
    var separatesChineseCharacters = true
    /// `nil` follows `lowercases`, as Hugging Face does for `strip_accents: null`.
    var stripsAccents: Bool?
    var lowercases = true
    var continuationPrefix = "##"
    /// Words with more scalars than this become `[UNK]`. Default 100.
    var maxInputCharactersPerWord = 100
    var unknownToken = "[UNK]"
    var classifierToken = "[CLS]"
    var separatorToken = "[SEP]"
    var paddingToken = "[PAD]"
    /// Ids given by the files themselves (post-processor, padding), which win over a
    /// vocabulary lookup of the token strings.
    var classifierID: Int32?
    var separatorID: Int32?
    var paddingID: Int32?
    /// Tokens matched verbatim in input text before normalization.
    var addedTokens: [(content: String, id: Int32)] = []
    /// Further tokens to match verbatim, whose ids come from the vocabulary (`vocab.txt`
    /// models name their special tokens but do not number them).
    var specialTokenNames: [String] = []
    /// The truncation length `tokenizer.json` asks for, in tokens, if any. Informational:
    /// callers pass their own `maxLength` (sentence-transformers uses `max_seq_length`).
    var truncationMaxLength: Int?

    init(source: String) {
        self.source = source
    }
}
