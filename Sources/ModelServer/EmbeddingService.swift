import Dispatch
import Foundation
import HTTPServer
import ModelLoading
import ModelRuntime
import Synchronization

/// Owns the embeddings batchers, one per ready embedding model, and the limits of
/// `EmbeddingLimits`; finds the ready model for a request, or the answer to give instead:
/// `404` for an unknown model, `425` with `Retry-After` and the progress body while it loads,
/// `503` when it failed or is not loaded, `400` when it does not embed. The request path
/// (tokenize, count, admit) is in `EmbeddingService+Submit.swift`.
///
/// Memory that comes back: a batcher holds its model, so a batcher lives only while its model
/// is the ready one. Every lookup drops the batchers of models that are no longer ready or
/// were loaded anew (unloaded, failed, removed, reloaded), and `release(modelID:)` drops one
/// at once (the unload path). A dropped batcher finishes what it already admitted, then it and
/// its model are freed; until then its work still counts in `inferenceScratchBytes`.
final class EmbeddingService: Sendable {
    enum Lookup {
        case ready(EmbeddingBatcher, model: any EmbeddingModel)
        case unavailable(HTTPStatus, code: String, message: String, status: ModelStatus?, retryAfter: Int?)
    }

    /// The live settings (`embeddings.*`), replaced as a whole on `SIGHUP`.
    struct Settings: Sendable, Equatable {
        var batch: EmbeddingBatchSettings
        var limits: EmbeddingLimits

        init(_ configuration: Configuration) {
            limits = configuration.embeddingLimits
            batch = EmbeddingBatchSettings(maxBatchTexts: max(1, configuration.embeddingMaxBatchSize),
                                           maxBatchTokens: max(1, limits.maxBatchTokens),
                                           maxQueuedTokens: max(1, limits.maxQueuedTokens),
                                           maxWait: configuration.embeddingMaxBatchWait)
        }
    }

    private struct Entry {
        var readySince: Date?
        var batcher: EmbeddingBatcher
    }

    /// A batcher no longer in `batchers`, tracked only while its admitted work keeps it alive.
    private struct Retired {
        weak let batcher: EmbeddingBatcher?
    }

    private struct Batchers {
        var current: [String: Entry] = [:]
        var retired: [Retired] = []

        mutating func retire(_ id: String) {
            guard let entry = current.removeValue(forKey: id) else { return }
            retired.append(Retired(batcher: entry.batcher))
        }
    }

    private let loader: ModelLoader
    private let readiness: Readiness
    private let settings: Mutex<Settings>
    private let batchers = Mutex(Batchers())
    /// Where bodies too large to parse on an event loop are parsed and tokenized.
    let workers = DispatchQueue(label: "modeld.embeddings.requests", qos: .userInitiated, attributes: .concurrent)

    init(loader: ModelLoader, readiness: Readiness, configuration: Configuration) {
        self.loader = loader
        self.readiness = readiness
        settings = Mutex(Settings(configuration))
    }

    /// Puts `configuration`'s `embeddings.*` settings in force (`SIGHUP`): requests parsed
    /// from now on see the new limits, and every batcher forms its next pass with them.
    func applyBatchSettings(_ configuration: Configuration) {
        let fresh = Settings(configuration)
        settings.withLock { $0 = fresh }
        let live = batchers.withLock { $0.current.values.map(\.batcher) }
        for batcher in live { batcher.update(fresh.batch) }
    }

    /// The limits in force now.
    var limits: EmbeddingLimits {
        settings.withLock { $0.limits }
    }

    /// Drops the batcher of `modelID` (called when the model is unloaded or removed), so the
    /// model's memory is freed once the work it already admitted is done.
    func release(modelID: String) {
        batchers.withLock { $0.retire(modelID) }
    }

    /// An estimate of the bytes that embedding work admitted now holds or is about to
    /// allocate: per model, the scratch of one forward pass (at most `maxBatchTokens` padded
    /// tokens × the model's bytes per token; passes of a model run one at a time) plus the
    /// queued token ids and the vectors held for partly answered requests. Counts released
    /// batchers until their work is done. 0 when nothing is queued or running.
    var inferenceScratchBytes: Int {
        let all = batchers.withLock { batchers -> [EmbeddingBatcher] in
            batchers.retired.removeAll { $0.batcher == nil }
            return batchers.current.values.map(\.batcher) + batchers.retired.compactMap(\.batcher)
        }
        return all.reduce(0) { $0 + $1.reservedBytes }
    }

    /// Models that have a batcher now (for tests).
    var modelsWithBatchers: [String] {
        batchers.withLock { $0.current.keys.sorted() }
    }

    func lookup(_ id: String) -> Lookup {
        let snapshot = loader.snapshot
        pruneBatchers { snapshot.status(of: $0) }
        guard let status = snapshot.status(of: id) else {
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
        let batchSettings = settings.withLock { $0.batch }
        let batcher = batchers.withLock { batchers in
            if let existing = batchers.current[id], existing.readySince == status.readySince {
                return existing.batcher
            }
            batchers.retire(id)
            let fresh = EmbeddingBatcher(model: model, modelID: id, settings: batchSettings)
            batchers.current[id] = Entry(readySince: status.readySince, batcher: fresh)
            return fresh
        }
        return .ready(batcher, model: model)
    }

    /// Retires the batchers whose model is not the ready one any more.
    private func pruneBatchers(status: (String) -> ModelStatus?) {
        batchers.withLock { batchers in
            for (id, entry) in batchers.current {
                guard let now = status(id), now.state == .ready, now.readySince == entry.readySince else {
                    batchers.retire(id)
                    continue
                }
            }
            batchers.retired.removeAll { $0.batcher == nil }
        }
    }
}
