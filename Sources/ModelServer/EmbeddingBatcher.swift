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
/// Timing: a pass runs when a full pass is queued (`maxBatchTexts` texts or `maxBatchTokens`
/// tokens), or when the first queued request has waited `maxWait`; requests that arrive
/// during a pass join the next one at once (they have already waited). Passes run one at a
/// time, so a model's inference scratch is one pass's.
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

    private struct State {
        var queue: EmbeddingQueue<Completion>
        var isScheduled = false
    }

    let model: any EmbeddingModel
    private let dispatchQueue: DispatchQueue
    private let state: Mutex<State>

    init(model: any EmbeddingModel, modelID: String, settings: EmbeddingBatchSettings) {
        self.model = model
        dispatchQueue = DispatchQueue(label: "modeld.embeddings.\(modelID)", qos: .userInitiated)
        state = Mutex(State(queue: EmbeddingQueue(settings: settings)))
    }

    /// Applies new settings to the passes formed from now on (`SIGHUP`).
    func update(_ settings: EmbeddingBatchSettings) {
        state.withLock { $0.queue.settings = settings }
    }

    /// Queues `rows` (each a text's token ids from `model.tokenize`, at least one), or refuses
    /// them when the queue is full. Once admitted, `completion` runs on the batch queue when
    /// every row has its vector.
    func submit(_ rows: [[Int32]], completion: @escaping Completion) -> Admission {
        enum Start { case none, now, after(Duration) }
        let decision = state.withLock { state -> (Admission, Start) in
            guard state.queue.admit(rows, waiter: completion) else {
                return (.overloaded(retryAfterSeconds: state.queue.retryAfterSeconds), .none)
            }
            guard !state.isScheduled else { return (.admitted, .none) }
            state.isScheduled = true
            let wait = state.queue.settings.maxWait
            return (.admitted, state.queue.hasFullPass || wait == .zero ? .now : .after(wait))
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
        state.withLock { $0.queue.admittedTokens }
    }

    /// Bytes the queued and running work holds or is about to allocate (see
    /// `EmbeddingQueue.reservedBytes`).
    var reservedBytes: Int {
        let perToken = model.scratchBytesPerToken
        let dimension = model.dimension
        return state.withLock { $0.queue.reservedBytes(scratchBytesPerToken: perToken, dimension: dimension) }
    }

    /// Runs passes until nothing is queued.
    private func runPasses() {
        while let pass = state.withLock({ state -> EmbeddingQueue<Completion>.Pass? in
            guard let pass = state.queue.takePass() else {
                state.isScheduled = false
                return nil
            }
            return pass
        }) {
            let clock = ContinuousClock()
            let start = clock.now
            let result: Result<EmbeddingBatch, ModelRuntimeError>
            do {
                result = .success(try model.embed(tokenized: pass.rows))
            } catch {
                result = .failure(error)
            }
            let elapsed = clock.now - start
            let outcomes = state.withLock { $0.queue.passFinished(pass, result: result, elapsed: elapsed) }
            for outcome in outcomes {
                switch outcome {
                case .finished(let completion, let batch): completion(.success(batch))
                case .failed(let completion, let error): completion(.failure(error))
                }
            }
        }
    }
}
