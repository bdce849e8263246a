import ModelRuntime

/// Everything the loader keeps about one known model: its descriptor, its published status,
/// the loaded model, and the identity, cancel flag and clocks of its running attempt.
///
/// Lives inside `LoaderState`'s lock; its methods are pure bookkeeping.
struct LoadEntry {
    var descriptor: ModelDescriptor
    var status: ModelStatus
    var model: (any LoadedModel)?
    /// The current (or last) load's id; 0 before the first load.
    var loadID: UInt64 = 0
    /// The running attempt's cancel flag.
    var control: LoadAttemptControl?
    /// The running attempt's clocks.
    var progress: AttemptProgress?

    init(descriptor: ModelDescriptor) {
        self.descriptor = descriptor
        status = ModelStatus(id: descriptor.id, required: descriptor.manifest.required)
    }

    /// Whether `token` names the attempt running now.
    func isCurrent(_ token: AttemptToken) -> Bool {
        status.state == .loading && loadID == token.loadID && status.attempt == token.attempt
    }

    /// Starts attempt `attempt` of the current load: fresh flag, clocks and progress.
    mutating func beginAttempt(_ attempt: Int, estimator: LoadEstimator,
                               now: ContinuousClock.Instant) -> AttemptLaunch {
        let control = LoadAttemptControl()
        self.control = control
        progress = AttemptProgress(estimator: estimator, now: now)
        status.state = .loading
        status.attempt = attempt
        status.step = nil
        status.progress = 0
        status.bytesLoaded = 0
        status.bytesTotal = 0
        status.etaSeconds = estimator.remainingSeconds(.init(step: .initialize, stepElapsed: 0, attemptElapsed: 0))
            .map(AttemptProgress.wholeSeconds)
        let token = AttemptToken(modelID: status.id, loadID: loadID, attempt: attempt)
        return AttemptLaunch(token: token, descriptor: descriptor, control: control)
    }

    /// Ends the running attempt (if any): flags its job to stop and drops its clocks.
    mutating func stopAttempt() {
        control?.cancel()
        control = nil
        progress = nil
    }
}
