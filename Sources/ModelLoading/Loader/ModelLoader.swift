public import ModelRuntime

/// Owns every model's load state: queues loads, runs them through the nine steps of
/// DESIGN §1.2 on dedicated threads, cancels, unloads, publishes snapshots and events.
///
/// Policy:
/// - At most `maxConcurrentLoads` loads run; the others wait `queued`, first come first
///   served. A load request for a model already queued or loading joins that load.
/// - A slot is returned when its load reaches a terminal state. A cancel (or a stall)
///   takes effect at once: the state turns `cancelled` (`failed`) and the event goes out
///   when `cancel` returns; the job stops at its next per-chunk check and its thread
///   releases it (well within 100 ms for jobs that check per chunk).
/// - A load with no step change and no byte report for `loadStallTimeout` fails with
///   `load_stalled`. A failed or stalled attempt is retried up to `loadRetries` times;
///   each retry is a new attempt (1-based `attempt` in events and status) whose progress
///   restarts from step 1 and never goes back within that attempt. A retry emits no second
///   `model_load_started`; while it runs, `failure` tells why the previous attempt failed.
/// - Reloading a ready model (a changed manifest on `SIGHUP`, keeping the old copy serving
///   until the new one is ready) is not done here: `load` of a ready model answers
///   `.alreadyReady`, and `setModels` only changes the descriptor for the next load.
/// - Settings may change while loads run (`updateSettings`, on `SIGHUP`): a lower
///   `maxConcurrentLoads` lets running loads finish and starts fewer; a higher one starts
///   queued loads at once; the stall timeout and retries apply from their next check.
/// - Probes read `snapshot` and event subscribers are called without awaiting the actor.
public actor ModelLoader {
    /// The limits this loader enforces now (`updateSettings` replaces them).
    public nonisolated var settings: LoaderSettings {
        state.settings
    }
    /// Step durations of earlier loads (ETA basis), updated after every successful load.
    public nonisolated let history: ETAHistory
    nonisolated let state: LoaderState
    nonisolated let runner: LoadRunner

    /// Queued loads, oldest first.
    var queue: [(id: String, loadID: UInt64)] = []
    /// Loads holding a slot, by model.
    var running: [String: UInt64] = [:]
    /// Callers of `waitForOutcome`, by load.
    var waiters: [UInt64: [UInt64: CheckedContinuation<ModelStatus?, Never>]] = [:]
    var nextWaiterID: UInt64 = 1
    /// Stall watchdogs, by load.
    var watchdogs: [UInt64: Task<Void, Never>] = [:]

    /// Creates a loader with no models; `makeJob` builds the job of each attempt (called on
    /// the attempt's thread).
    public init(settings: LoaderSettings = LoaderSettings(),
                makeJob: @escaping @Sendable (ModelDescriptor) -> any LoadJob,
                history: ETAHistory) {
        self.history = history
        state = LoaderState(settings: settings, history: history)
        runner = LoadRunner(state: state, makeJob: makeJob)
    }

    /// The latest published status of every model; synchronous, never waits on the actor.
    public nonisolated var snapshot: RegistrySnapshot {
        state.snapshot
    }

    /// Calls `handler` with every event from now on, in order, on the thread that produced
    /// it (a load thread or the actor's). The handler must not block.
    public nonisolated func subscribe(_ handler: @escaping @Sendable (LoadEvent) -> Void) -> LoadSubscription {
        state.bus.subscribe(handler)
    }

    /// The ready model `id`, or `nil` when it is not ready.
    public nonisolated func loadedModel(_ id: String) -> (any LoadedModel)? {
        state.loadedModel(id)
    }

    /// Replaces the set of known models: new ones are `unloaded`; known ones keep their
    /// state (a ready model stays ready, a running load continues) and take the new
    /// descriptor for their next load; removed ones are cancelled (`model_load_cancelled`)
    /// or unloaded (`model_unloaded`), then forgotten (no further event: the caller knows
    /// what it removed), and their queue places and load slots are freed.
    public func setModels(_ descriptors: [ModelDescriptor]) {
        for cancelled in state.setModels(descriptors) {
            loadEnded(cancelled.id, loadID: cancelled.loadID)
        }
    }

    /// Puts `settings` in force: later decisions use them, and queued loads start at once if
    /// a higher `maxConcurrentLoads` frees slots. Running loads are never stopped for it.
    public func updateSettings(_ settings: LoaderSettings) {
        state.replaceSettings(settings)
        settleEndedLoads()
        startQueuedLoads()
    }

    /// Requests a load of `id`.
    public func load(_ id: String) -> LoadRequestOutcome {
        settleEndedLoads()
        let hasFreeSlot = running.count < settings.maxConcurrentLoads && queue.isEmpty
        switch state.requestLoad(id, startNow: hasFreeSlot) {
        case .unknownModel: return .unknownModel
        case .alreadyReady: return .alreadyReady
        case .joined: return .joined
        case .queued(let loadID):
            queue.append((id, loadID))
            return .queued
        case .started(let launch):
            launchRunning(launch)
            return .started
        }
    }

    /// Cancels the queued or running load of `id`.
    public func cancel(_ id: String) -> CancelOutcome {
        switch state.cancel(id) {
        case .unknownModel: return .unknownModel
        case .nothingToCancel: return .nothingToCancel
        case .cancelled(let loadID, _):
            loadEnded(id, loadID: loadID)
            return .cancelled
        }
    }

    /// Takes `id` out of service (`model_unloaded`): a ready model is dropped; a queued or
    /// loading one has its load cancelled first (`model_load_cancelled`), so either way the
    /// model ends `unloaded`.
    public func unload(_ id: String) -> UnloadOutcome {
        switch state.unload(id) {
        case .unknownModel: return .unknownModel
        case .notLoaded(let modelState): return .notLoaded(state: modelState)
        case .unloaded: return .unloaded
        case .cancelledLoad(let loadID):
            loadEnded(id, loadID: loadID)
            return .cancelledLoad
        }
    }
}
