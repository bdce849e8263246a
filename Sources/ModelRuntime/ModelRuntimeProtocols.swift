public import ModelFormats

/// A kind of model the server can load and serve (`bert-embedding` first). The loader
/// drives it through steps 2, 4, 7, 8 and 9 of DESIGN §1.2; everything it does is blocking
/// and runs on the loader's dedicated threads, never on an event loop.
public protocol ModelRuntimeFactory: Sendable {
    /// The manifest's `runtime:` value this factory handles, e.g. `"bert-embedding"`.
    var name: String { get }

    /// Whether a folder without `model.yaml` looks like this runtime's model (e.g. a
    /// sentence-transformers layout), so a folder downloaded from a hub just works.
    func recognizes(directory: String) -> Bool

    /// Step 2: reads the model's configuration and tokenizer / vocabulary files from
    /// `directory` and returns a session for the remaining steps.
    func makeSession(directory: String) throws(ModelRuntimeError) -> any ModelLoadSession
}

/// The runtime's side of one load, used by one load thread from step 2 to step 9, then
/// dropped. Releasing it releases everything it holds.
public protocol ModelLoadSession: AnyObject {
    /// What step 2 found, for `check-model` and logs (e.g. `vocab_size=30522`).
    var summary: [(key: String, value: String)] { get }

    /// The weights file to load, relative to the model directory (e.g. `model.safetensors`).
    var weightsFileName: String { get }

    /// Step 4: checks every tensor the architecture expects is in `header` with an
    /// accepted dtype and the expected shape.
    func validate(_ header: SafetensorsHeader) throws(ModelRuntimeError)

    /// Step 7: builds the tensors in compute layout (f32, aligned; f16/bf16 converted) from
    /// the raw file bytes read in step 5 (`weights` holds the whole file; tensor ranges in
    /// `header` are offsets into it). Checks `isCancelled` between tensors.
    func materialize(weights: UnsafeRawBufferPointer, header: SafetensorsHeader,
                     isCancelled: () -> Bool) throws(ModelRuntimeError)

    /// Step 8: fuses / pre-packs matrices for the compute kernels.
    func optimize(isCancelled: () -> Bool) throws(ModelRuntimeError)

    /// Step 9: runs a warm-up inference on a fixed input, checks the output, and returns
    /// the ready model.
    func warmUp() throws(ModelRuntimeError) -> any LoadedModel

    /// Step 7 telling how far it is: `progress(done, total)` after each piece of work (any
    /// unit; the loader uses the fraction for its ETA). By default, `materialize` without.
    func materialize(weights: UnsafeRawBufferPointer, header: SafetensorsHeader,
                     isCancelled: () -> Bool, progress: (_ done: Int64, _ total: Int64) -> Void) throws(ModelRuntimeError)

    /// Step 8 telling how far it is, like step 7's. By default, `optimize` without.
    func optimize(isCancelled: () -> Bool, progress: (_ done: Int64, _ total: Int64) -> Void) throws(ModelRuntimeError)
}

extension ModelLoadSession {
    public func materialize(weights: UnsafeRawBufferPointer, header: SafetensorsHeader,
                            isCancelled: () -> Bool, progress: (Int64, Int64) -> Void) throws(ModelRuntimeError) {
        try materialize(weights: weights, header: header, isCancelled: isCancelled)
    }

    public func optimize(isCancelled: () -> Bool, progress: (Int64, Int64) -> Void) throws(ModelRuntimeError) {
        try optimize(isCancelled: isCancelled)
    }
}

/// A model ready to serve. Immutable and shareable across threads.
public protocol LoadedModel: Sendable {
    /// The runtime that built it.
    var runtimeName: String { get }
    /// Bytes of memory it holds (weights in compute layout plus buffers).
    var residentBytes: Int { get }
}

/// A loaded model that turns texts into embedding vectors.
public protocol EmbeddingModel: LoadedModel {
    /// Length of each embedding vector.
    var dimension: Int { get }
    /// Longest input in tokens; longer inputs are truncated.
    var maxSequenceLength: Int { get }
    /// Bytes one forward pass allocates per token of its padded batch (rows × longest row),
    /// scratch and token arrays included: what a pass of `n` padded tokens costs on top of the
    /// weights is about `n × scratchBytesPerToken`. Lets a server bound and count the memory
    /// of its passes before it runs them.
    var scratchBytesPerToken: Int { get }
    /// Bytes of scratch the model keeps between passes for the next one (not part of
    /// `residentBytes`, which counts weights); 0 unless the runtime keeps any.
    var retainedScratchBytes: Int { get }
    /// Embeds `texts` (one vector each, in order). Blocking and CPU-heavy: call it off the
    /// event loops.
    func embed(_ texts: [String]) throws(ModelRuntimeError) -> EmbeddingBatch
    /// The token ids `embed` would feed the encoder for `text`: special tokens included,
    /// truncated to `maxSequenceLength`. Its count is what the text costs and what `usage`
    /// reports, so a server can bound a request's tokens before it queues the request.
    func tokenize(_ text: String) throws(ModelRuntimeError) -> [Int32]
    /// Embeds rows from `tokenize(_:)` as one forward pass (one vector per row, in order);
    /// `embed(tokenized: texts.map(tokenize))` equals `embed(texts)`. Blocking and CPU-heavy.
    func embed(tokenized rows: [[Int32]]) throws(ModelRuntimeError) -> EmbeddingBatch
}

extension EmbeddingModel {
    /// Nothing kept, unless the runtime says otherwise.
    public var retainedScratchBytes: Int { 0 }
}

/// The result of one embedding call.
public struct EmbeddingBatch: Sendable {
    /// One vector per input, in input order.
    public var vectors: [[Float]]
    /// Tokens consumed across all inputs (special tokens included), for `usage`.
    public var tokenCount: Int
    /// Tokens of each input, in input order (so a batch made of several requests can
    /// report each request's own `usage`).
    public var tokenCounts: [Int]

    public init(vectors: [[Float]], tokenCount: Int, tokenCounts: [Int]? = nil) {
        self.vectors = vectors
        self.tokenCount = tokenCount
        self.tokenCounts = tokenCounts ?? (vectors.isEmpty ? [] : Array(repeating: tokenCount / vectors.count, count: vectors.count))
    }
}

/// A runtime failure with a stable code for clients and a clear message.
public struct ModelRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable snake_case code, e.g. `missing_tensor`, `shape_mismatch`, `invalid_config`.
    public var code: String
    /// One sentence for people.
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
