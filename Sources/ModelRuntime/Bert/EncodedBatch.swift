/// Token ids for a batch of texts, padded to one length, as a BERT tokenizer produces them.
///
/// Same fields as the tokenizer branch's `TokenBatch`; the integrator unifies the two.
/// All arrays are row-major `[batchSize, sequenceLength]`.
struct EncodedBatch: Sendable, Equatable {
    /// Token ids, `[CLS] … [SEP]` then padding.
    var ids: [Int32]
    /// 1 for a real token, 0 for padding.
    var attentionMask: [Int32]
    /// Segment ids (0 for single-sentence inputs).
    var tokenTypeIds: [Int32]
    /// Number of texts.
    var batchSize: Int
    /// Length of every row, padding included.
    var sequenceLength: Int
    /// Real tokens per text, special tokens included.
    var tokenCounts: [Int]

    /// Builds a right-padded batch from unpadded id lists (token type 0 everywhere).
    init(unpadded rows: [[Int32]]) {
        let length = rows.map(\.count).max() ?? 0
        batchSize = rows.count
        sequenceLength = length
        tokenCounts = rows.map(\.count)
        ids = rows.flatMap { $0 + Array(repeating: 0, count: length - $0.count) }
        attentionMask = rows.flatMap { Array(repeating: 1, count: $0.count) + Array(repeating: 0, count: length - $0.count) }
        tokenTypeIds = Array(repeating: 0, count: rows.count * length)
    }

    /// Builds a batch from its parts, as a tokenizer does.
    init(ids: [Int32], attentionMask: [Int32], tokenTypeIds: [Int32],
         batchSize: Int, sequenceLength: Int, tokenCounts: [Int]) {
        self.ids = ids
        self.attentionMask = attentionMask
        self.tokenTypeIds = tokenTypeIds
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.tokenCounts = tokenCounts
    }
}
