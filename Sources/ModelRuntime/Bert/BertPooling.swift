/// How token vectors become one sentence vector (sentence-transformers `Pooling`).
enum BertPooling: String, Sendable, Equatable {
    /// Average of the real (unmasked) tokens' vectors.
    case mean
    /// The first token's (`[CLS]`) vector.
    case cls
    /// Per-dimension maximum over the real tokens.
    case max
}
