import Dispatch
import HTTPServer
import ModelLoading
import ModelRuntime

/// Why an embeddings request got no vectors; each route maps it to its own error shape.
enum EmbeddingFailure: Error {
    /// The model is unknown, loading, not loaded or does not embed (see `EmbeddingService`).
    case unavailable(HTTPStatus, code: String, message: String, status: ModelStatus?, retryAfter: Int?)
    /// More tokens than `maxTokensPerRequest`: `413 too_many_tokens`.
    case tooManyTokens(limit: Int, maxSequenceLength: Int)
    /// The model's queue is full: `503 overloaded` with `Retry-After`.
    case overloaded(retryAfterSeconds: Int)
    /// The runtime failed: `500` with its code.
    case runtime(ModelRuntimeError)

    /// The message clients see for the limits (the other cases carry their own).
    var limitMessage: String {
        switch self {
        case .tooManyTokens(let limit, let length):
            "The request has more than \(limit) tokens (each input counted after truncation to \(length) tokens, " +
                "[CLS] and [SEP] included); send fewer or shorter inputs per request."
        case .overloaded(let seconds):
            "The model's queue is full; retry after \(seconds) s."
        case .unavailable(_, _, let message, _, _): message
        case .runtime(let error): error.message
        }
    }
}

extension EmbeddingService {
    /// Bodies up to this size are parsed and tokenized on the event loop that read them (well
    /// under a millisecond); larger ones on `workers`, so they do not stall the other
    /// connections of that loop. 32 KiB.
    static let inlineBodyBytes = 32 * 1024

    /// Runs `work` at once when `request`'s body is small, else on a worker thread.
    func handle(_ request: HTTPRequest, _ work: @escaping @Sendable (HTTPRequest) -> Void) {
        if request.body.count <= Self.inlineBodyBytes {
            work(request)
        } else {
            workers.async { work(request) }
        }
    }

    /// Embeds `texts` with model `id`: finds the ready model, tokenizes the texts while
    /// counting their tokens (stopping past `maxTokensPerRequest`), and queues them unless the
    /// model's queue is full. `completion` runs once, on this thread for a refusal, else on
    /// the model's batch queue. The caller has checked `maxInputs`.
    func embed(_ texts: [String], model id: String,
               completion: @escaping @Sendable (Result<EmbeddingBatch, EmbeddingFailure>) -> Void) {
        let batcher: EmbeddingBatcher
        switch lookup(id) {
        case .unavailable(let status, let code, let message, let modelStatus, let retryAfter):
            return completion(.failure(.unavailable(status, code: code, message: message, status: modelStatus,
                                                    retryAfter: retryAfter)))
        case .ready(let ready, _):
            batcher = ready
        }
        let rows: [[Int32]]
        switch Self.tokenize(texts, model: batcher.model, maxTokens: limits.maxTokensPerRequest) {
        case .success(let tokenized): rows = tokenized
        case .failure(let failure): return completion(.failure(failure))
        }
        let admission = batcher.submit(rows) { result in
            completion(result.mapError { .runtime($0) })
        }
        if case .overloaded(let seconds) = admission {
            completion(.failure(.overloaded(retryAfterSeconds: seconds)))
        }
    }

    /// Each text's token ids, or `tooManyTokens` as soon as their sum passes `maxTokens`.
    static func tokenize(_ texts: [String], model: any EmbeddingModel,
                         maxTokens: Int) -> Result<[[Int32]], EmbeddingFailure> {
        var rows: [[Int32]] = []
        rows.reserveCapacity(texts.count)
        var total = 0
        for text in texts {
            let row: [Int32]
            do {
                row = try model.tokenize(text)
            } catch {
                return .failure(.runtime(error))
            }
            total += row.count
            guard total <= maxTokens else {
                return .failure(.tooManyTokens(limit: maxTokens, maxSequenceLength: model.maxSequenceLength))
            }
            rows.append(row)
        }
        return .success(rows)
    }
}
