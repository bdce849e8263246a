import Synchronization

/// The identity of one attempt of one load: stale reports from an attempt that was
/// cancelled, stalled or superseded carry an old token and are ignored.
struct AttemptToken: Sendable, Hashable {
    var modelID: String
    /// Identifies the load (a request and its retries); new for each accepted request.
    var loadID: UInt64
    /// 1-based attempt within the load.
    var attempt: Int
}

/// The cancellation flag of one attempt, shared by the actor (which sets it) and the load
/// thread and job (which poll it per step and per chunk).
final class LoadAttemptControl: Sendable {
    private let flag = Atomic<Bool>(false)

    /// True once the attempt was cancelled or declared stalled.
    var isCancelled: Bool { flag.load(ordering: .acquiring) }

    /// Tells the job to stop at its next check.
    func cancel() {
        flag.store(true, ordering: .releasing)
    }
}

/// What a load thread needs to run one attempt.
struct AttemptLaunch: Sendable {
    var token: AttemptToken
    var descriptor: ModelDescriptor
    var control: LoadAttemptControl
}
