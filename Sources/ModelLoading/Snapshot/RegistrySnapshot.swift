/// An immutable picture of every known model's status, published by the `ModelLoader` after
/// each state change (and at most every 100 ms for byte progress).
///
/// Probes on event loops read it synchronously (`ModelLoader.snapshot`) without awaiting
/// the actor; it answers `/readyz` (DESIGN §1.1) on its own.
public struct RegistrySnapshot: Sendable, Equatable {
    /// Every known model, sorted by id.
    public let models: [ModelStatus]

    /// Builds a snapshot; `models` is sorted by id here.
    public init(models: [ModelStatus]) {
        self.models = models.sorted { $0.id < $1.id }
    }

    /// A snapshot with no models.
    public static let empty = RegistrySnapshot(models: [])

    /// True when every required model is ready (and so with no required model at all).
    public var isReady: Bool {
        models.allSatisfy { !$0.required || $0.state == .ready }
    }

    /// The required models that are not ready and will not become ready without action
    /// (`failed`, `cancelled`, `unloaded`, `unloading`): `/readyz` answers `503` naming them.
    public var blockingModels: [ModelStatus] {
        models.filter { $0.required && !$0.state.isLoadPending && $0.state != .ready }
    }

    /// Seconds for `Retry-After` while required models are queued or loading: the largest
    /// ETA among them, at least 1. A model without an ETA counts as 1 second.
    public var retryAfterSeconds: Int {
        models.lazy
            .filter { $0.required && $0.state.isLoadPending }
            .map { max($0.etaSeconds ?? 1, 1) }
            .max() ?? 1
    }

    /// The status of the model `id`, or `nil` when no such model is known.
    public func status(of id: String) -> ModelStatus? {
        // Sorted by id, so a binary search keeps probe lookups O(log n) without a dictionary.
        var low = 0
        var high = models.count
        while low < high {
            let mid = (low + high) / 2
            if models[mid].id < id { low = mid + 1 } else { high = mid }
        }
        return low < models.count && models[low].id == id ? models[low] : nil
    }
}
