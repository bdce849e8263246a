/// A BERT WordPiece tokenizer that gives the same ids as Hugging Face `tokenizers` (the
/// "fast" tokenizer sentence-transformers uses): added tokens matched in the raw text,
/// `BertNormalizer`, `BertPreTokenizer`, WordPiece, then `[CLS] ... [SEP]`. Immutable and
/// safe to share across threads; build it with `load(directory:)`.
public struct BertTokenizer: Sendable {
    /// Id of `[CLS]`, put first in every sequence.
    public let classifierID: Int32
    /// Id of `[SEP]`, put last in every sequence.
    public let separatorID: Int32
    /// Id of `[PAD]`, filling short rows of a batch.
    public let paddingID: Int32
    /// Id of `[UNK]`, for words the vocabulary cannot spell.
    public let unknownID: Int32
    /// Truncation length written in `tokenizer.json`, if any, in tokens. Informational:
    /// sentence-transformers truncates at `max_seq_length` instead, so callers pass their own.
    public let truncationMaxLength: Int?

    let vocabulary: Vocabulary
    let basicTokenizer: BasicTokenizer
    let wordPiece: WordPiece
    let specialTokens: SpecialTokenMatcher
    let source: String

    /// Number of token ids (the embedding table's row count must be at least this).
    public var vocabularySize: Int { vocabulary.count }

    /// What was loaded, for logs and `check-model`.
    public var summary: [(key: String, value: String)] {
        [
            ("tokenizer", source),
            ("vocab_size", String(vocabularySize)),
            ("lowercase", String(basicTokenizer.lowercases)),
            ("strip_accents", String(basicTokenizer.stripsAccents)),
        ]
    }

    /// The token ids of `text` without `[CLS]`/`[SEP]` and without truncation.
    public func tokenize(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        appendTokens(of: text, limit: Int.max, to: &ids)
        return ids
    }

    /// `[CLS]`, the ids of `text`, `[SEP]`, keeping at most `maxLength` ids in all (the text's
    /// are cut, `[SEP]` stays last). `maxLength` below 2 is treated as 2.
    public func encode(_ text: String, maxLength: Int) -> [Int32] {
        let limit = max(maxLength, 2) - 2
        var ids: [Int32] = [classifierID]
        ids.reserveCapacity(min(limit, text.utf8.count) + 2)
        appendTokens(of: text, limit: limit, to: &ids)
        ids.append(separatorID)
        return ids
    }

    /// Encodes each text as `encode(_:maxLength:)` does and pads the rows with `[PAD]` to the
    /// longest one.
    public func encodeBatch(_ texts: [String], maxLength: Int) -> TokenBatch {
        let rows = texts.map { encode($0, maxLength: maxLength) }
        let sequenceLength = rows.map(\.count).max() ?? 0
        var ids = [Int32](repeating: paddingID, count: rows.count * sequenceLength)
        var mask = [Int32](repeating: 0, count: rows.count * sequenceLength)
        for (row, tokens) in rows.enumerated() {
            let offset = row * sequenceLength
            for (column, id) in tokens.enumerated() {
                ids[offset + column] = id
                mask[offset + column] = 1
            }
        }
        return TokenBatch(ids: ids, attentionMask: mask,
                          tokenTypeIDs: [Int32](repeating: 0, count: ids.count),
                          batchSize: rows.count, sequenceLength: sequenceLength,
                          tokenCounts: rows.map(\.count))
    }

    /// Appends the ids of `text` to `ids` until `limit` of them have been added. Tokens are
    /// produced left to right, so stopping early gives exactly the reference's truncation.
    private func appendTokens(of text: String, limit: Int, to ids: inout [Int32]) {
        guard limit > 0 else { return }
        let stopCount = ids.count + limit
        var normalized: [UInt32] = []
        var bytes: [UInt8] = []
        specialTokens.forEachSegment(in: text) { segment in
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(let piece):
                normalized.removeAll(keepingCapacity: true)
                basicTokenizer.normalize(piece.unicodeScalars, into: &normalized)
                basicTokenizer.forEachWord(in: normalized) { range in
                    guard ids.count < stopCount else { return false }
                    wordPiece.tokenize(normalized[range], bytes: &bytes, into: &ids)
                    return true
                }
            }
            if ids.count > stopCount { ids.removeSubrange(stopCount...) }
            return ids.count < stopCount
        }
    }
}
