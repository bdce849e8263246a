/// The seam where the BERT tokenizer plugs into the embedding runtime: turns texts into a
/// padded batch of token ids, truncated to `maxLength` tokens each (special tokens included).
protocol TextTokenizing: Sendable {
    func encodeBatch(_ texts: [String], maxLength: Int) -> EncodedBatch
}
