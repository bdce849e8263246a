/// One load of a BERT embedding model, driven by the loader from step 2 to step 9 on one
/// load thread: validated configuration (step 2), checked header (step 4), f32 tensors
/// (step 7), packed encoder (step 8), warmed-up model (step 9). Each step frees what the
/// next one no longer needs; dropping the session frees everything.
public final class BertLoadSession: ModelLoadSession {
    let configuration: BertConfiguration
    let tokenizer: BertTokenizer?
    /// The weights file, relative to the model folder (`model.safetensors` when present).
    public let weightsFileName: String

    /// Canonical name → name in the file, filled by step 4.
    var fileNames: [String: String] = [:]
    /// Canonical name → f32 tensor, filled by step 7 and consumed by step 8.
    var tensors: [String: AlignedFloatBuffer] = [:]
    /// The packed encoder, built by step 8.
    var encoder: BertEncoder?

    init(configuration: BertConfiguration, tokenizer: BertTokenizer?, weightsFileName: String) {
        self.configuration = configuration
        self.tokenizer = tokenizer
        self.weightsFileName = weightsFileName
    }

    /// What step 2 read: the encoder's shape, the pooling and the tokenizer.
    public var summary: [(key: String, value: String)] {
        [
            ("architecture", "bert"),
            ("hidden_size", String(configuration.hiddenSize)),
            ("layers", String(configuration.layerCount)),
            ("heads", String(configuration.headCount)),
            ("vocab_size", String(configuration.vocabularySize)),
            ("max_seq_length", String(configuration.maxSequenceLength)),
            ("pooling", configuration.pooling.rawValue),
            ("normalize", String(configuration.normalizes)),
            ("tokenizer", tokenizer == nil ? "none" : "loaded"),
        ]
    }

    /// Step 8: packs every dense layer for the GEMM kernel and fuses query, key and value,
    /// then frees the unpacked tensors.
    public func optimize(isCancelled: () -> Bool) throws(ModelRuntimeError) {
        try optimize(isCancelled: isCancelled, progress: { _, _ in })
    }

    /// Step 8, reporting the layers packed so far after each layer.
    public func optimize(isCancelled: () -> Bool, progress: (_ done: Int64, _ total: Int64) -> Void) throws(ModelRuntimeError) {
        guard !tensors.isEmpty else { throw .stepOutOfOrder("optimize ran before materialize") }
        encoder = try BertEncoder(configuration: configuration, tensors: tensors, isCancelled: isCancelled,
                                  progress: progress)
        // The packed matrices are copies; the unpacked ones are no longer needed.
        tensors = [:]
    }

    /// Step 9: embeds "hello world" and checks the vector is finite and, when the model
    /// normalises, of unit length (±1e-3).
    public func warmUp() throws(ModelRuntimeError) -> any LoadedModel {
        guard let encoder else { throw .stepOutOfOrder("warm-up ran before optimize") }
        let model = BertEmbeddingModel(encoder: encoder, tokenizer: tokenizer)
        let batch = tokenizer?.encodeBatch(["hello world"], maxLength: configuration.maxSequenceLength)
            ?? Self.warmUpBatch(vocabularySize: configuration.vocabularySize)
        let vectors = try model.embed(tokenBatch: batch).vectors
        for vector in vectors {
            guard vector.allSatisfy(\.isFinite) else { throw .warmUpFailed("the warm-up embedding is not finite") }
            let length = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if configuration.normalizes, abs(length - 1) > 1e-3 {
                throw .warmUpFailed("the warm-up embedding has length \(length), not 1")
            }
        }
        return model
    }

    /// `[CLS] hello world [SEP]` in the BERT uncased vocabulary (ids 101, 7592, 2088, 102),
    /// used by sessions built without a tokenizer (tests); ids past a smaller vocabulary wrap
    /// into it.
    static func warmUpBatch(vocabularySize: Int) -> TokenBatch {
        TokenBatch(unpadded: [[101, 7592, 2088, 102].map { Int32($0 % vocabularySize) }])
    }
}
