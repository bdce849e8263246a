import Foundation

/// Runs load attempts, each on its own dedicated thread: jobs do blocking file I/O and
/// compute, which must stay off the event loops and off Swift's cooperative pool
/// (DESIGN §2.2).
///
/// The thread creates the job, runs steps 1...9 in order (checking the cancel flag before
/// each, DESIGN §1.2), reports each step start and byte count to `LoaderState`
/// synchronously (so events keep their order), releases the job whatever happened, and only
/// then starts a retry or signals the end of the load. The job never leaves its thread.
final class LoadRunner: Sendable {
    /// Told (from the load thread) when a load ended on its own: ready or failed for good.
    typealias EndHandler = @Sendable (_ modelID: String, _ loadID: UInt64) -> Void

    private let state: LoaderState
    private let makeJob: @Sendable (ModelDescriptor) -> any LoadJob

    init(state: LoaderState, makeJob: @escaping @Sendable (ModelDescriptor) -> any LoadJob) {
        self.state = state
        self.makeJob = makeJob
    }

    /// Starts `launch` on a new thread.
    func start(_ launch: AttemptLaunch, onEnded: @escaping EndHandler) {
        let thread = Thread { [self] in
            run(launch, onEnded: onEnded)
        }
        thread.name = "modeld-load-\(launch.token.modelID)"
        // Match a main thread's stack: runtimes may keep sizeable buffers on it.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// How an attempt's thread finished.
    private enum Ending {
        /// Cancelled or superseded: whoever did it already ended the attempt.
        case abandoned
        /// Ready or failed for good.
        case ended
        /// Failed with retries left.
        case retry(AttemptLaunch)
    }

    private func run(_ launch: AttemptLaunch, onEnded: @escaping EndHandler) {
        let job = makeJob(launch.descriptor)
        let ending = runSteps(of: job, launch)
        // Release before a retry begins, so two attempts never hold the weights at once.
        job.release()
        switch ending {
        case .abandoned: break
        case .ended: onEnded(launch.token.modelID, launch.token.loadID)
        case .retry(let next): start(next, onEnded: onEnded)
        }
    }

    private func runSteps(of job: any LoadJob, _ launch: AttemptLaunch) -> Ending {
        let token = launch.token
        let control = launch.control
        let state = state
        let sink = LoadProgressSink(
            reportBytes: { loaded, total in state.bytesReported(token, loaded: loaded, total: total) },
            isCancelled: { control.isCancelled },
            reportWork: { done, total in state.workReported(token, done: done, total: total) },
            reportTransfer: { transfer in state.transferReported(token, transfer) })
        if let bytes = WeightFilesSize.of(directory: launch.descriptor.directory) {
            state.weightsSized(token, bytes: bytes)
        }
        for step in LoadStep.allCases {
            // DESIGN §1.2: cancellation is checked before every step.
            guard !control.isCancelled, state.stepStarted(token, step: step) else { return .abandoned }
            do {
                try job.run(step, progress: sink)
            } catch {
                if control.isCancelled { return .abandoned }
                return failed(token, LoadFailure(error, step: step))
            }
        }
        if control.isCancelled { return .abandoned }
        guard let model = job.takeLoadedModel() else {
            return failed(token, LoadFailure(code: "no_model", message: "The load finished without a model to serve.",
                                             step: LoadStep.allCases.last))
        }
        guard state.attemptSucceeded(token, model: model) != nil else { return .abandoned }
        state.history.save()
        return .ended
    }

    private func failed(_ token: AttemptToken, _ failure: LoadFailure) -> Ending {
        switch state.attemptFailed(token, failure: failure) {
        case .stale: .abandoned
        case .failed: .ended
        case .retry(let next): .retry(next)
        }
    }
}
