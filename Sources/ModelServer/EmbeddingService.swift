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
/// is the ready one. The service follows the loader's events: `model_unloaded`,
/// `model_load_failed` and `model_load_cancelled` drop that model's batcher at once (removals
/// on `SIGHUP` emit one of them too), and a lookup that finds the model loaded anew (another
/// `readySince`) replaces it. A dropped batcher finishes what it already admitted, then it
/// and its model are freed; until then its work still counts in `inferenceScratchBytes`.
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
    private let subscription = Mutex<LoadSubscription?>(nil)
    /// Where bodies too large to parse on an event loop are parsed and tokenized.
    let workers = DispatchQueue(label: "modeld.embeddings.requests", qos: .userInitiated, attributes: .concurrent)

    init(loader: ModelLoader, readiness: Readiness, configuration: Configuration) {
        self.loader = loader
        self.readiness = readiness
        settings = Mutex(Settings(configuration))
        let token = loader.subscribe { [weak self] event in
            guard event.kind == .unloaded || event.kind == .failed || event.kind == .cancelled else { return }
            self?.release(modelID: event.modelID)
        }
        subscription.withLock { $0 = token }
    }

    deinit {
        subscription.withLock { $0 }?.cancel()
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

    /// Drops the batcher of `modelID` (when the model stops being served), so the model's
    /// memory is freed once the work it already admitted is done.
    func release(modelID: String) {
        batchers.withLock { batchers in
            batchers.retire(modelID)
            batchers.retired.removeAll { $0.batcher == nil }
        }
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
        // An unload between the snapshot read above and the batcher's creation released a
        // batcher that did not exist yet: do it now, so the old model is not kept alive.
        let now = loader.snapshot.status(of: id)
        if now?.state != .ready || now?.readySince != status.readySince { release(modelID: id) }
        return .ready(batcher, model: model)
    }
}
