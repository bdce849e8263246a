/// Building a batch from id lists that are already tokenized (warm-up without a tokenizer,
/// tests, benchmarks).
extension TokenBatch {
    /// A right-padded batch of `rows` (token type 0 everywhere, padding `paddingID`).
    init(unpadded rows: [[Int32]], paddingID: Int32 = 0) {
        let length = rows.map(\.count).max() ?? 0
        self.init(
            ids: rows.flatMap { $0 + Array(repeating: paddingID, count: length - $0.count) },
            attentionMask: rows.flatMap { Array(repeating: 1, count: $0.count) + Array(repeating: 0, count: length - $0.count) },
            tokenTypeIDs: Array(repeating: 0, count: rows.count * length),
            batchSize: rows.count,
            sequenceLength: length,
            tokenCounts: rows.map(\.count)
        )
    }
}
