/// The shape of a BERT encoder and its sentence-embedding head, read from a Hugging Face /
/// sentence-transformers model folder (`BertConfiguration+Loading.swift`).
struct BertConfiguration: Sendable, Equatable {
    /// Width of every token vector (`hidden_size`).
    var hiddenSize: Int
    /// Encoder layers (`num_hidden_layers`).
    var layerCount: Int
    /// Attention heads per layer (`num_attention_heads`); divides `hiddenSize`.
    var headCount: Int
    /// Width of the feed-forward layer (`intermediate_size`).
    var intermediateSize: Int
    /// Rows of the position table (`max_position_embeddings`).
    var maxPositionEmbeddings: Int
    /// Rows of the segment table (`type_vocab_size`).
    var typeVocabularySize: Int
    /// Rows of the token table (`vocab_size`).
    var vocabularySize: Int
    /// LayerNorm's ε (`layer_norm_eps`); default 1e-12, BERT's.
    var layerNormEpsilon: Float
    /// How token vectors are pooled into one (`1_Pooling/config.json`); default mean.
    var pooling: BertPooling
    /// Whether the pooled vector is scaled to unit length (a `Normalize` module is listed).
    var normalizes: Bool
    /// Longest input in tokens, special tokens included (`max_seq_length`); default
    /// min(512, maxPositionEmbeddings).
    var maxSequenceLength: Int

    /// Width of one attention head.
    var headSize: Int {
        hiddenSize / headCount
    }

    /// Checks the numbers describe an encoder we can run.
    func validated() throws(ModelRuntimeError) -> BertConfiguration {
        let sizes = [("hidden_size", hiddenSize), ("num_hidden_layers", layerCount),
                     ("num_attention_heads", headCount), ("intermediate_size", intermediateSize),
                     ("max_position_embeddings", maxPositionEmbeddings), ("type_vocab_size", typeVocabularySize),
                     ("vocab_size", vocabularySize), ("max_seq_length", maxSequenceLength)]
        for (key, value) in sizes where value <= 0 {
            throw .invalidConfig("\(key) must be positive, not \(value)")
        }
        guard hiddenSize % headCount == 0 else {
            throw .invalidConfig("hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(headCount)")
        }
        guard maxSequenceLength <= maxPositionEmbeddings else {
            throw .invalidConfig("max_seq_length \(maxSequenceLength) exceeds max_position_embeddings \(maxPositionEmbeddings)")
        }
        guard layerNormEpsilon.isFinite, layerNormEpsilon > 0 else {
            throw .invalidConfig("layer_norm_eps must be a positive number")
        }
        return self
    }
}
