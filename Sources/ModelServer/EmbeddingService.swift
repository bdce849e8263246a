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

    /// The batching knobs (`embeddings.max-batch-size`, `embeddings.max-batch-wait`).
    struct BatchSettings: Sendable, Equatable {
        var maxBatchTexts: Int
        var maxWait: Duration
    }

    private let loader: ModelLoader
    private let readiness: Readiness
    private let batchSettings: Mutex<BatchSettings>
    /// One batcher per model, rebuilt when the model is loaded anew (keyed by ready time) or
    /// the batch settings changed; a replaced batcher still runs what it already queued.
    private let batchers = Mutex<[String: (readySince: Date?, settings: BatchSettings, batcher: EmbeddingBatcher)]>([:])

    init(loader: ModelLoader, readiness: Readiness, configuration: Configuration) {
        self.loader = loader
        self.readiness = readiness
        batchSettings = Mutex(Self.batchSettings(configuration))
    }

    /// Batches later requests with `configuration`'s embeddings settings (`SIGHUP`).
    func applyBatchSettings(_ configuration: Configuration) {
        batchSettings.withLock { $0 = Self.batchSettings(configuration) }
    }

    private static func batchSettings(_ configuration: Configuration) -> BatchSettings {
        BatchSettings(maxBatchTexts: configuration.embeddingMaxBatchSize, maxWait: configuration.embeddingMaxBatchWait)
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
        let settings = batchSettings.withLock { $0 }
        let batcher = batchers.withLock { batchers in
            if let existing = batchers[id], existing.readySince == status.readySince, existing.settings == settings {
                return existing.batcher
            }
            let fresh = EmbeddingBatcher(model: model, modelID: id, maxBatchTexts: settings.maxBatchTexts,
                                         maxWait: settings.maxWait)
            batchers[id] = (status.readySince, settings, fresh)
            return fresh
        }
        return .ready(batcher, model: model)
    }
}
