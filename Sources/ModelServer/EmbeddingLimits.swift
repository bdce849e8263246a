/// The bounds on what one embeddings client can make a model do (DESIGN §1.8), for
/// `/v1/embeddings` and the Open Inference Protocol's `/v2/models/{id}/infer` alike. Each is
/// checked before the memory or CPU it guards is spent, and each has its own answer.
///
/// Memory per forward pass is bounded by `maxBatchTokens`, whatever the request: the batcher
/// splits requests (and batches of requests) into micro-batches. Time is bounded by
/// `maxTokensPerRequest` (one request cannot hold a model's queue for minutes) and
/// `maxQueuedTokens` (a client learns at once that the model is busy instead of waiting).
public struct EmbeddingLimits: Sendable, Equatable {
    /// Most texts in one request (`embeddings.max-inputs`). Default 2048, OpenAI's limit.
    /// Past it: `413` with code `too_many_inputs` (`/v2`: `413 {"error": ...}`).
    public var maxInputs: Int = 2048
    /// Most tokens in one request, counted after each text is truncated to the model's
    /// longest sequence, special tokens included — what `usage.prompt_tokens` reports
    /// (`embeddings.max-tokens-per-request`). Default 65,536: 256 texts of 256 tokens, or
    /// 2048 texts of 32. It bounds how long one request holds its model's queue: passes of
    /// all-MiniLM-L6-v2 run at roughly 700–1,500 tokens per second of long texts on a busy
    /// 2-core machine, so 65,536 tokens is about a minute there, while OpenAI's 300,000
    /// would be five. Past it: `413` with code `too_many_tokens`, before anything is queued;
    /// counting stops at the limit, so a refused request costs at most this much tokenizing.
    public var maxTokensPerRequest: Int = 65_536
    /// Largest forward pass, in padded tokens: texts in the pass × its longest text
    /// (`embeddings.max-batch-tokens`). Default 8192, 32 texts of 256 tokens (the default
    /// batch of MiniLM-sized inputs); with all-MiniLM-L6-v2 a pass of 8192 tokens needs about
    /// 126 MB of scratch. A single text longer than this still runs, alone.
    public var maxBatchTokens: Int = 8192
    /// Most tokens admitted to one model and not yet answered, queued or running
    /// (`embeddings.max-queued-tokens`). Default 131,072, two maximal requests. Past it: `503` with code
    /// `overloaded` and `Retry-After` (an estimate of the seconds the queue needs to drain,
    /// at least 1). A request is always admitted to a model with nothing queued, so any
    /// request within `maxTokensPerRequest` can run.
    public var maxQueuedTokens: Int = 131_072

    public init() {}
}
