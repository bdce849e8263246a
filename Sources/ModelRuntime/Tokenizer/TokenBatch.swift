/// Token ids for a batch of texts, padded to the longest row, in the row-major layout the
/// encoder consumes.
public struct TokenBatch: Sendable, Equatable {
    /// `batchSize * sequenceLength` ids, row by row, padded with `[PAD]`.
    public var ids: [Int32]
    /// 1 for real tokens, 0 for padding; same layout as `ids`.
    public var attentionMask: [Int32]
    /// Segment ids; all zeros for single sentences. Same layout as `ids`.
    public var tokenTypeIDs: [Int32]
    /// Number of rows (texts).
    public var batchSize: Int
    /// Length of every row: the longest encoded text, `[CLS]` and `[SEP]` included.
    public var sequenceLength: Int
    /// Real tokens in each row, special tokens included (what `usage` counts).
    public var tokenCounts: [Int]

    public init(ids: [Int32], attentionMask: [Int32], tokenTypeIDs: [Int32], batchSize: Int,
                sequenceLength: Int, tokenCounts: [Int]) {
        self.ids = ids
        self.attentionMask = attentionMask
        self.tokenTypeIDs = tokenTypeIDs
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.tokenCounts = tokenCounts
    }
}
