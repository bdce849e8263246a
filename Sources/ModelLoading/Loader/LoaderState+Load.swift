import Foundation
import ModelRuntime

/// The load path: request, start, steps, bytes, success, failure and stall.
extension LoaderState {
    /// What a load request found.
    enum RequestResult: Sendable {
        case unknownModel
        case alreadyReady
        case joined
        case queued(loadID: UInt64)
        case started(AttemptLaunch)
    }

    /// Accepts a load of `id` (or joins the one pending). A new load starts at once when
    /// `startNow` (a slot is free), else waits `queued`; either way it emits `started`.
    func requestLoad(_ id: String, startNow: Bool) -> RequestResult {
        mutate { registry, events in
            guard var entry = registry.entries[id] else { return .unknownModel }
            if entry.status.state == .ready { return .alreadyReady }
            if entry.status.state.isLoadPending { return .joined }
            entry.loadID = registry.nextLoadID
            registry.nextLoadID += 1
            entry.status.failure = nil
            entry.status.timings = nil
            entry.status.readySince = nil
            var result = RequestResult.queued(loadID: entry.loadID)
            let estimator = makeEstimator(for: id)
            if startNow {
                result = .started(entry.beginAttempt(1, estimator: estimator, now: clock.now))
            } else {
                // Set up attempt 1's status (and its history ETA, for Retry-After), then
                // park it: the thread starts when a slot frees up.
                _ = entry.beginAttempt(1, estimator: estimator, now: clock.now)
                entry.stopAttempt()
                entry.status.state = .queued
            }
            events.append(LoadEvent(.started, status: entry.status))
            registry.entries[id] = entry
            return result
        }
    }

    /// Moves the queued load `loadID` of `id` to `loading`; `nil` if it is no longer queued.
    func startQueued(_ id: String, loadID: UInt64) -> AttemptLaunch? {
        mutate { registry, _ in
            guard var entry = registry.entries[id], entry.loadID == loadID,
                  entry.status.state == .queued else { return nil }
            let launch = entry.beginAttempt(1, estimator: makeEstimator(for: id), now: clock.now)
            registry.entries[id] = entry
            return launch
        }
    }

    /// Records that the attempt `token` begins `step`; false if the attempt is stale.
    func stepStarted(_ token: AttemptToken, step: LoadStep) -> Bool {
        mutate { registry, events in
            guard var entry = registry.entries[token.modelID], entry.isCurrent(token),
                  var progress = entry.progress else { return false }
            let now = clock.now
            progress.stepStarted(step, now: now)
            entry.status.step = step
            entry.status.transfer = nil
            (entry.status.progress, entry.status.etaSeconds) = progress.estimate(now: now)
            entry.progress = progress
            events.append(LoadEvent(.progress, status: entry.status))
            registry.entries[token.modelID] = entry
            return true
        }
    }

    /// Records the size of the weights the attempt `token` is about to read, learnt before
    /// step 1, so that a model without a history has an ETA from its first step.
    func weightsSized(_ token: AttemptToken, bytes: Int64) {
        mutate(publish: false) { registry, _ in
            guard var entry = registry.entries[token.modelID], entry.isCurrent(token),
                  var progress = entry.progress else { return }
            progress.weightsSized(bytes)
            entry.progress = progress
            registry.entries[token.modelID] = entry
        }
    }

    /// Recomputes the running attempt's progress and ETA of load `loadID` of `id` at this
    /// instant and publishes the status when they changed, so that a poller sees the ETA count
    /// down through a long step. No event: events still mark steps and byte updates only
    /// (DESIGN §1.3). False once the load is over or replaced.
    func refreshEstimate(_ id: String, loadID: UInt64) -> Bool {
        let (alive, changed) = mutate(publish: false) { registry, _ -> (Bool, Bool) in
            guard var entry = registry.entries[id], entry.loadID == loadID else { return (false, false) }
            guard entry.status.state == .loading, var progress = entry.progress, progress.step != nil else {
                return (entry.status.state.isLoadPending, false)
            }
            let before = (entry.status.progress, entry.status.etaSeconds)
            (entry.status.progress, entry.status.etaSeconds) = progress.estimate(now: clock.now)
            entry.progress = progress
            registry.entries[id] = entry
            return (true, before != (entry.status.progress, entry.status.etaSeconds))
        }
        if changed { mutate { _, _ in } }
        return alive
    }

    /// Records how far the running compute step of the attempt `token` is. Changes no
    /// snapshot and emits nothing: the next refresh or event carries the better ETA.
    func workReported(_ token: AttemptToken, done: Int64, total: Int64) {
        mutate(publish: false) { registry, _ in
            guard var entry = registry.entries[token.modelID], entry.isCurrent(token),
                  var progress = entry.progress else { return }
            progress.workReported(done: done, total: total, now: clock.now)
            entry.progress = progress
            registry.entries[token.modelID] = entry
        }
    }

    /// Records the download of the attempt `token`'s running step; the next byte report
    /// publishes it.
    func transferReported(_ token: AttemptToken, _ transfer: LoadTransfer) {
        mutate(publish: false) { registry, _ in
            guard var entry = registry.entries[token.modelID], entry.isCurrent(token) else { return }
            entry.status.transfer = transfer
            registry.entries[token.modelID] = entry
        }
    }

    /// Records a byte report of the attempt `token`; publishes at most every 100 ms.
    func bytesReported(_ token: AttemptToken, loaded: Int64, total: Int64) {
        // Called per chunk: a byte report that is not published changes no snapshot.
        mutate(publish: false) { registry, events in
            guard var entry = registry.entries[token.modelID], entry.isCurrent(token),
                  var progress = entry.progress else { return }
            let now = clock.now
            entry.status.bytesLoaded = loaded
            entry.status.bytesTotal = total
            if progress.bytesReported(loaded: loaded, total: total, now: now) {
                (entry.status.progress, entry.status.etaSeconds) = progress.estimate(now: now)
                events.append(LoadEvent(.progress, status: entry.status))
            }
            entry.progress = progress
            registry.entries[token.modelID] = entry
        }
    }

    /// Marks the attempt `token` ready with `model` and remembers its timings in the history;
    /// returns them (for the file), or `nil` if the attempt is stale.
    func attemptSucceeded(_ token: AttemptToken, model: any LoadedModel) -> LoadTimings? {
        mutate { registry, events -> LoadTimings? in
            guard var entry = registry.entries[token.modelID], entry.isCurrent(token),
                  var progress = entry.progress else { return nil }
            let timings = progress.finish(now: clock.now)
            // In memory before the model turns ready; the thread writes the file after.
            history.remember(timings, weightBytes: progress.weightBytes, for: token.modelID)
            entry.stopAttempt()
            entry.model = model
            entry.status.state = .ready
            entry.status.progress = 1
            entry.status.etaSeconds = 0
            entry.status.timings = timings
            entry.status.readySince = Date()
            events.append(LoadEvent(.completed, status: entry.status))
            registry.entries[token.modelID] = entry
            return timings
        }
    }

    /// What ending an attempt in failure led to.
    enum FailureResult: Sendable {
        /// The attempt was no longer current; nothing changed.
        case stale
        /// Another attempt begins (`loadRetries` not used up).
        case retry(AttemptLaunch)
        /// The load is over: `failed` was emitted.
        case failed
    }

    /// Ends the attempt `token` with `failure`: a retry while `loadRetries` allows one, else
    /// the load fails (`model_load_failed`).
    func attemptFailed(_ token: AttemptToken, failure: LoadFailure) -> FailureResult {
        mutate { registry, events in
            guard var entry = registry.entries[token.modelID], entry.isCurrent(token) else {
                return .stale
            }
            let result = fail(&entry, failure: failure, events: &events)
            registry.entries[token.modelID] = entry
            return result
        }
    }

    /// What the stall watchdog found.
    enum StallCheck: Sendable {
        /// The load is over or was replaced: stop watching.
        case gone
        /// Progress was seen: check again at this instant.
        case checkAt(ContinuousClock.Instant)
        /// Stalled; another attempt begins.
        case retry(AttemptLaunch)
        /// Stalled; the load failed with `load_stalled`.
        case failed
    }

    /// Fails the running attempt of load `loadID` with `load_stalled` if it showed no
    /// progress for `settings.loadStallTimeout`.
    func checkStall(_ id: String, loadID: UInt64) -> StallCheck {
        // Runs once per stall timeout, so always publishing (a retry changes the status
        // without an event) costs nothing.
        mutate { registry, events in
            guard var entry = registry.entries[id], entry.loadID == loadID else { return .gone }
            if entry.status.state == .queued { return .checkAt(clock.now.advanced(by: settings.loadStallTimeout)) }
            guard entry.status.state == .loading, let progress = entry.progress else { return .gone }
            let deadline = progress.lastProgressAt.advanced(by: settings.loadStallTimeout)
            guard clock.now >= deadline else { return .checkAt(deadline) }
            let failure = LoadFailure(
                code: LoadFailure.stalledCode,
                message: "The load made no progress for \(settings.loadStallTimeout).",
                step: entry.status.step)
            let result: StallCheck = switch fail(&entry, failure: failure, events: &events) {
            case .retry(let launch): .retry(launch)
            case .failed, .stale: .failed
            }
            registry.entries[id] = entry
            return result
        }
    }

    /// Stops the running attempt and either begins the next one or fails the load.
    private func fail(_ entry: inout LoadEntry, failure: LoadFailure,
                      events: inout [LoadEvent]) -> FailureResult {
        entry.stopAttempt()
        entry.status.failure = failure
        if entry.status.attempt <= settings.loadRetries {
            let launch = entry.beginAttempt(entry.status.attempt + 1,
                                            estimator: makeEstimator(for: entry.status.id), now: clock.now)
            return .retry(launch)
        }
        entry.status.state = .failed
        entry.status.etaSeconds = nil
        events.append(LoadEvent(.failed, status: entry.status))
        return .failed
    }
}
