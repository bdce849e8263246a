import Foundation
import ModelRuntime
import Synchronization

/// The loader's registry of models behind one lock, shared by the `ModelLoader` actor, the
/// load threads and the stall watchdogs.
///
/// Ordering: every change takes the registry lock, updates the entry, enqueues its events on
/// the bus and publishes a fresh `RegistrySnapshot`, all before the lock is released; events
/// are delivered after. So events come out in the order the changes happened whichever
/// thread made them, and a report from an attempt that was cancelled or superseded (an old
/// `AttemptToken`) is dropped instead of emitting after the terminal event. No lock is held
/// across I/O or while handlers run.
final class LoaderState: Sendable {
    struct Registry {
        var entries: [String: LoadEntry] = [:]
        var nextLoadID: UInt64 = 1
    }

    let bus = LoadEventBus()
    let history: ETAHistory
    let clock = ContinuousClock()
    private let registry = Mutex(Registry())
    private let published = Mutex(RegistrySnapshot.empty)
    // Its own lock, taken after the registry's when both are held: `SIGHUP` swaps the
    // settings while loads read them.
    private let liveSettings: Mutex<LoaderSettings>

    init(settings: LoaderSettings, history: ETAHistory) {
        liveSettings = Mutex(settings)
        self.history = history
    }

    /// The limits in force now; a reload may replace them (`replaceSettings`).
    var settings: LoaderSettings {
        liveSettings.withLock { $0 }
    }

    /// Puts `settings` in force for every decision from now on.
    func replaceSettings(_ settings: LoaderSettings) {
        liveSettings.withLock { $0 = settings }
    }

    /// The latest published snapshot.
    var snapshot: RegistrySnapshot {
        published.withLock { $0 }
    }

    /// The ready model `id`, if any.
    func loadedModel(_ id: String) -> (any LoadedModel)? {
        registry.withLock { $0.entries[id]?.model }
    }

    /// The current status of `id`.
    func status(of id: String) -> ModelStatus? {
        registry.withLock { $0.entries[id]?.status }
    }

    /// Runs `body` under the registry lock, then enqueues the events it produced and, when
    /// `publish` is true, publishes a new snapshot (still under the lock, so snapshots and
    /// events agree on order); delivers the events after unlocking.
    func mutate<Result: Sendable>(
        publish: Bool = true,
        _ body: (inout Registry, inout [LoadEvent]) -> Result
    ) -> Result {
        let result: Result = registry.withLock { registry in
            var events: [LoadEvent] = []
            let result = body(&registry, &events)
            bus.enqueue(events)
            if publish || !events.isEmpty {
                let snapshot = RegistrySnapshot(models: registry.entries.values.map(\.status))
                published.withLock { $0 = snapshot }
            }
            return result
        }
        bus.deliverPending()
        return result
    }

    /// The estimator for the next attempt of `id`: its own history if any, else what the
    /// other models' loads taught about this machine.
    func makeEstimator(for id: String) -> LoadEstimator {
        LoadEstimator(history: history.entry(for: id), profile: history.profile(excluding: id))
    }
}

extension LoaderState {
    /// The status of `id` with the id of its current (or last) load.
    func pendingLoad(of id: String) -> (ModelStatus, UInt64)? {
        registry.withLock { registry in
            registry.entries[id].map { ($0.status, $0.loadID) }
        }
    }
}
