/// A ready BERT sentence-embedding model: immutable packed weights plus the tokenizer, safe
/// to call from many threads at once (each call has its own scratch buffers).
public struct BertEmbeddingModel: EmbeddingModel {
    let encoder: BertEncoder
    let tokenizer: BertTokenizer?

    init(encoder: BertEncoder, tokenizer: BertTokenizer?) {
        self.encoder = encoder
        self.tokenizer = tokenizer
    }

    /// `bert-embedding`.
    public var runtimeName: String {
        BertEmbeddingRuntime.runtimeName
    }

    /// Bytes of packed weights and tables (scratch per call is not counted).
    public var residentBytes: Int {
        encoder.byteCount
    }

    /// `hidden_size`.
    public var dimension: Int {
        encoder.configuration.hiddenSize
    }

    /// `max_seq_length` from sentence_bert_config.json.
    public var maxSequenceLength: Int {
        encoder.configuration.maxSequenceLength
    }

    /// The forward pass's scratch per packed token (`BertEncoder.scratchBytesPerToken`) plus
    /// the padded token batch's three id arrays and its layout index.
    public var scratchBytesPerToken: Int {
        encoder.scratchBytesPerToken + 3 * MemoryLayout<Int32>.stride + MemoryLayout<Int>.stride
    }

    /// The last pass's scratch, kept for the next pass when at most 16 MiB (`BertScratchCache`).
    public var retainedScratchBytes: Int {
        encoder.scratchCache.retainedBytes
    }

    /// Tokenizes `texts` (truncating to `maxSequenceLength`) and embeds them as one batch.
    public func embed(_ texts: [String]) throws(ModelRuntimeError) -> EmbeddingBatch {
        guard let tokenizer else { throw .tokenizerUnavailable }
        return try embed(tokenBatch: tokenizer.encodeBatch(texts, maxLength: maxSequenceLength))
    }

    /// `[CLS]`, the text's ids, `[SEP]`, at most `maxSequenceLength` ids in all.
    public func tokenize(_ text: String) throws(ModelRuntimeError) -> [Int32] {
        guard let tokenizer else { throw .tokenizerUnavailable }
        return tokenizer.encode(text, maxLength: maxSequenceLength)
    }

    /// Pads `rows` with `[PAD]` to the longest one and embeds them as one batch.
    public func embed(tokenized rows: [[Int32]]) throws(ModelRuntimeError) -> EmbeddingBatch {
        guard let tokenizer else { throw .tokenizerUnavailable }
        return try embed(tokenBatch: TokenBatch(unpadded: rows, paddingID: tokenizer.paddingID))
    }

    /// Embeds an already tokenized batch: the seam between tokenizer and encoder.
    func embed(tokenBatch batch: TokenBatch) throws(ModelRuntimeError) -> EmbeddingBatch {
        try check(batch)
        guard batch.batchSize > 0 else { return EmbeddingBatch(vectors: [], tokenCount: 0) }
        let flat = encoder.embed(batch)
        let width = dimension
        let vectors = (0..<batch.batchSize).map { Array(flat[$0 * width ..< ($0 + 1) * width]) }
        return EmbeddingBatch(vectors: vectors, tokenCount: batch.tokenCounts.reduce(0, +), tokenCounts: batch.tokenCounts)
    }

    /// Refuses a batch the encoder would read out of bounds with.
    private func check(_ batch: TokenBatch) throws(ModelRuntimeError) {
        let configuration = encoder.configuration
        let cells = batch.batchSize * batch.sequenceLength
        guard batch.batchSize >= 0, batch.sequenceLength >= 0, batch.ids.count == cells,
              batch.attentionMask.count == cells, batch.tokenTypeIDs.count == cells else {
            throw .invalidInput("token batch arrays do not match batchSize × sequenceLength")
        }
        guard batch.sequenceLength <= configuration.maxPositionEmbeddings else {
            throw .invalidInput("sequence length \(batch.sequenceLength) exceeds \(configuration.maxPositionEmbeddings) positions")
        }
        guard batch.ids.allSatisfy({ $0 >= 0 && Int($0) < configuration.vocabularySize }) else {
            throw .invalidInput("a token id is outside the vocabulary")
        }
        guard batch.tokenTypeIDs.allSatisfy({ $0 >= 0 && Int($0) < configuration.typeVocabularySize }) else {
            throw .invalidInput("a token type id is outside the type vocabulary")
        }
    }
}
