import Foundation
import HTTPServer
import ModelLoading
import ModelRuntime
import Synchronization

/// Finds the ready embedding model for a request and its batcher, or the answer to give
/// instead: `404` for an unknown model, `425` with `Retry-After` and the progress body while
/// it loads, `503` when it failed or is not loaded, `400` when it does not embed.
final class EmbeddingService: Sendable {
    enum Lookup {
        case ready(EmbeddingBatcher, model: any EmbeddingModel)
        case unavailable(HTTPStatus, code: String, message: String, status: ModelStatus?, retryAfter: Int?)
    }

    private let loader: ModelLoader
    private let readiness: Readiness
    private let maxBatchTexts: Int
    private let maxWait: Duration
    /// One batcher per model, rebuilt when the model is loaded anew (keyed by ready time).
    private let batchers = Mutex<[String: (readySince: Date?, batcher: EmbeddingBatcher)]>([:])

    init(loader: ModelLoader, readiness: Readiness, configuration: Configuration) {
        self.loader = loader
        self.readiness = readiness
        maxBatchTexts = configuration.embeddingMaxBatchSize
        maxWait = configuration.embeddingMaxBatchWait
    }

    func lookup(_ id: String) -> Lookup {
        guard let status = loader.snapshot.status(of: id) else {
            return .unavailable(.notFound, code: "model_not_found", message: "No model with id '\(id)'.", status: nil, retryAfter: nil)
        }
        switch status.state {
        case .ready:
            break
        case .queued, .loading:
            return .unavailable(readiness.notReadyStatus, code: "model_loading",
                                message: "Model '\(id)' is loading; retry after the given delay.",
                                status: status, retryAfter: max(status.etaSeconds ?? 1, 1))
        case .failed, .cancelled, .unloaded, .unloading:
            return .unavailable(.serviceUnavailable, code: "model_not_ready",
                                message: "Model '\(id)' is \(status.state.rawValue) and must be loaded first.",
                                status: status, retryAfter: nil)
        }
        guard let model = loader.loadedModel(id) as? any EmbeddingModel else {
            return .unavailable(.badRequest, code: "model_not_embedding", message: "Model '\(id)' does not produce embeddings.",
                                status: status, retryAfter: nil)
        }
        let batcher = batchers.withLock { batchers in
            if let existing = batchers[id], existing.readySince == status.readySince { return existing.batcher }
            let fresh = EmbeddingBatcher(model: model, modelID: id, maxBatchTexts: maxBatchTexts, maxWait: maxWait)
            batchers[id] = (status.readySince, fresh)
            return fresh
        }
        return .ready(batcher, model: model)
    }
}
