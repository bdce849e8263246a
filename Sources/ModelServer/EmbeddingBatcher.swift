import Dispatch
import ModelRuntime
import Synchronization

/// Groups embedding requests that arrive together into one forward pass, as dedicated
/// embedding servers do, and runs the passes off the event loops and off the cooperative
/// pool (a serial Dispatch queue per model; the kernels spread each pass over the cores).
///
/// Policy: a request's texts join the open batch; the batch runs when it holds
/// `maxBatchTexts` texts or when its first request has waited `maxWait`, whichever comes
/// first. A request is never split across batches, so a request larger than the limit
/// runs alone. Results are handed back per request, in the order of its texts.
final class EmbeddingBatcher: Sendable {
    typealias Completion = @Sendable (Result<EmbeddingBatch, ModelRuntimeError>) -> Void

    private struct Pending {
        var texts: [String]
        var completion: Completion
    }

    private struct State {
        var pending: [Pending] = []
        var pendingTexts = 0
        var isScheduled = false
    }

    private let model: any EmbeddingModel
    private let maxBatchTexts: Int
    private let maxWait: Duration
    private let queue: DispatchQueue
    private let state = Mutex(State())

    init(model: any EmbeddingModel, modelID: String, maxBatchTexts: Int, maxWait: Duration) {
        self.model = model
        self.maxBatchTexts = max(1, maxBatchTexts)
        self.maxWait = maxWait
        queue = DispatchQueue(label: "modeld.embeddings.\(modelID)", qos: .userInitiated)
    }

    /// Queues `texts`; `completion` runs on the batch queue when their vectors are ready.
    func submit(_ texts: [String], completion: @escaping Completion) {
        let runNow = state.withLock { state -> Bool? in
            state.pending.append(Pending(texts: texts, completion: completion))
            state.pendingTexts += texts.count
            guard !state.isScheduled else { return nil }
            state.isScheduled = true
            return state.pendingTexts >= maxBatchTexts || maxWait == .zero
        }
        switch runNow {
        case true?: queue.async { self.runBatches() }
        case false?:
            let nanoseconds = Int(clamping: maxWait.components.seconds * 1_000_000_000
                + maxWait.components.attoseconds / 1_000_000_000)
            queue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { self.runBatches() }
        case nil: break
        }
    }

    /// Runs batches until nothing is pending (requests that arrived during a pass form the
    /// next batch at once: they have already waited).
    private func runBatches() {
        while let batch = takeBatch() {
            run(batch)
        }
    }

    private func takeBatch() -> [Pending]? {
        state.withLock { state in
            guard !state.pending.isEmpty else {
                state.isScheduled = false
                return nil
            }
            var taken: [Pending] = []
            var count = 0
            while let next = state.pending.first, taken.isEmpty || count + next.texts.count <= maxBatchTexts {
                taken.append(state.pending.removeFirst())
                count += next.texts.count
            }
            state.pendingTexts -= count
            return taken
        }
    }

    private func run(_ batch: [Pending]) {
        let texts = batch.flatMap(\.texts)
        let result: Result<EmbeddingBatch, ModelRuntimeError>
        do {
            result = .success(try model.embed(texts))
        } catch {
            result = .failure(error)
        }
        var offset = 0
        for request in batch {
            let range = offset..<(offset + request.texts.count)
            offset = range.upperBound
            request.completion(result.map { whole in
                let counts = Array(whole.tokenCounts[range])
                return EmbeddingBatch(vectors: Array(whole.vectors[range]), tokenCount: counts.reduce(0, +), tokenCounts: counts)
            })
        }
    }
}
