import Dispatch
import ModelRuntime
import Synchronization

/// Runs one model's embedding requests as forward passes off the event loops and off the
/// cooperative pool (a serial Dispatch queue per model; the kernels spread each pass over
/// the cores), as dedicated embedding servers do: requests that arrive together share a
/// pass, and a large request is split into passes of bounded size. The policy (admission,
/// pass size, order) is `EmbeddingQueue`'s; this shell owns the queue, the timer and the
/// thread.
///
/// Timing (`EmbeddingQueue.start()`): a request that finds the model idle runs at once (or,
/// when `maxWait` is positive, after that wait unless a full pass is queued); requests that
/// arrive during a pass join the next one, which starts as soon as that pass ends. Passes
/// run one at a time, so a model's inference scratch is one pass's.
///
/// Lifetime: work in flight keeps the batcher (and its model) alive; once its queue is empty
/// and nobody holds it, both are freed.
final class EmbeddingBatcher: Sendable {
    typealias Completion = @Sendable (Result<EmbeddingBatch, ModelRuntimeError>) -> Void

    /// What `submit` did with a request.
    enum Admission: Equatable {
        /// Queued; the completion will run.
        case admitted
        /// Refused because the queue is full; the completion will not run. Carries the
        /// `Retry-After` seconds (at least 1).
        case overloaded(retryAfterSeconds: Int)
    }

    let model: any EmbeddingModel
    private let dispatchQueue: DispatchQueue
    private let state: Mutex<EmbeddingQueue<Completion>>

    init(model: any EmbeddingModel, modelID: String, settings: EmbeddingBatchSettings) {
        self.model = model
        dispatchQueue = DispatchQueue(label: "modeld.embeddings.\(modelID)", qos: .userInitiated)
        state = Mutex(EmbeddingQueue(settings: settings))
    }

    /// Applies new settings to the passes formed from now on (`SIGHUP`).
    func update(_ settings: EmbeddingBatchSettings) {
        state.withLock { $0.settings = settings }
    }

    /// Queues `rows` (each a text's token ids from `model.tokenize`, at least one), or refuses
    /// them when the queue is full. Once admitted, `completion` runs on the batch queue when
    /// every row has its vector.
    func submit(_ rows: [[Int32]], completion: @escaping Completion) -> Admission {
        let decision = state.withLock { queue -> (Admission, EmbeddingQueue<Completion>.Start) in
            guard queue.admit(rows, waiter: completion) else {
                return (.overloaded(retryAfterSeconds: queue.retryAfterSeconds), .none)
            }
            return (.admitted, queue.start())
        }
        switch decision.1 {
        case .none: break
        case .now: dispatchQueue.async { self.runPasses() }
        case .after(let wait):
            let nanoseconds = Int(clamping: wait.components.seconds * 1_000_000_000
                + wait.components.attoseconds / 1_000_000_000)
            dispatchQueue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { self.runPasses() }
        }
        return decision.0
    }

    /// Tokens admitted and not yet answered.
    var admittedTokens: Int {
        state.withLock { $0.admittedTokens }
    }

    /// Bytes the queued and running work holds or is about to allocate (see
    /// `EmbeddingQueue.reservedBytes`), plus the scratch the model keeps between passes
    /// (counted on top even when the next pass reuses it: an overestimate, never an under-).
    var reservedBytes: Int {
        let perToken = model.scratchBytesPerToken
        let dimension = model.dimension
        let kept = model.retainedScratchBytes
        return kept + state.withLock { $0.reservedBytes(scratchBytesPerToken: perToken, dimension: dimension) }
    }

    /// Runs passes until nothing is queued.
    private func runPasses() {
        while let pass = state.withLock({ $0.takePass() }) {
            let clock = ContinuousClock()
            let start = clock.now
            let result: Result<EmbeddingBatch, ModelRuntimeError>
            do {
                result = .success(try model.embed(tokenized: pass.rows))
            } catch {
                result = .failure(error)
            }
            let elapsed = clock.now - start
            let outcomes = state.withLock { $0.passFinished(pass, result: result, elapsed: elapsed) }
            for outcome in outcomes {
                switch outcome {
                case .finished(let completion, let batch): completion(.success(batch))
                case .failed(let completion, let error): completion(.failure(error))
                }
            }
        }
    }
}
