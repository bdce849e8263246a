public import Foundation

/// One event of a model's load life (DESIGN §1.3), in the order the loader guarantees:
/// `model_load_started` → `model_load_progress`* → exactly one of `model_load_completed`,
/// `model_load_failed`, `model_load_cancelled`; and `model_unloaded` on unload.
///
/// `started` is emitted when the load is accepted (its `state` is `queued` when it waits for
/// a slot, `loading` when it runs at once), so a queued load cancelled before it ran still
/// reads started → cancelled. A retry does not emit a second `started`: its progress events
/// carry the next `attempt` and restart at step 1.
public struct LoadEvent: Sendable {
    /// What happened.
    public enum Kind: String, Sendable, CaseIterable {
        /// A load was accepted (queued or running).
        case started
        /// A step began, or bytes moved inside a step (throttled to one per 100 ms).
        case progress
        /// The model is ready.
        case completed
        /// The load failed for good (after any retries).
        case failed
        /// The load was cancelled.
        case cancelled
        /// A ready model was taken out of service.
        case unloaded
    }

    /// What happened.
    public var kind: Kind
    /// The model's id.
    public var modelID: String
    /// The model's state right after the event.
    public var state: ModelState
    /// The 1-based attempt of the load (0 for `unloaded` of a model never loaded).
    public var attempt: Int
    /// The running step (progress), the step the load stopped at (failed/cancelled), or `nil`.
    public var step: LoadStep?
    /// Overall fraction 0...1; never decreases within an attempt.
    public var progress: Double
    /// Bytes of weights read so far.
    public var bytesLoaded: Int64
    /// Bytes of weights to read (0 until known).
    public var bytesTotal: Int64
    /// Expected seconds until ready, or `nil` without a basis.
    public var etaSeconds: Int?
    /// Why the load failed (`failed` only).
    public var failure: LoadFailure?
    /// The download of the running step, if any (`file`, `bytes_per_second`).
    public var transfer: LoadTransfer?
    /// Per-step durations of the successful attempt (`completed` only), for metrics.
    public var timings: LoadTimings?
    /// When the event happened (wall clock).
    public var timestamp: Date

    /// An event with every field given (the loader builds its events from statuses).
    public init(kind: Kind, modelID: String, state: ModelState, attempt: Int, step: LoadStep?,
                progress: Double, bytesLoaded: Int64, bytesTotal: Int64, etaSeconds: Int?,
                failure: LoadFailure? = nil, timings: LoadTimings? = nil, timestamp: Date = Date()) {
        self.kind = kind
        self.modelID = modelID
        self.state = state
        self.attempt = attempt
        self.step = step
        self.progress = progress
        self.bytesLoaded = bytesLoaded
        self.bytesTotal = bytesTotal
        self.etaSeconds = etaSeconds
        self.failure = failure
        self.timings = timings
        self.timestamp = timestamp
    }

    /// Builds the event of `kind` from a model's status at that instant.
    init(_ kind: Kind, status: ModelStatus, timestamp: Date = Date()) {
        self.init(kind: kind, modelID: status.id, state: status.state, attempt: status.attempt,
                  step: status.step, progress: status.progress, bytesLoaded: status.bytesLoaded,
                  bytesTotal: status.bytesTotal, etaSeconds: status.etaSeconds,
                  failure: kind == .failed ? status.failure : nil,
                  timings: kind == .completed ? status.timings : nil, timestamp: timestamp)
        transfer = kind == .progress ? status.transfer : nil
    }

    /// DESIGN's event name (`model_load_progress`, `model_unloaded`, ...).
    public var name: String {
        switch kind {
        case .started: "model_load_started"
        case .progress: "model_load_progress"
        case .completed: "model_load_completed"
        case .failed: "model_load_failed"
        case .cancelled: "model_load_cancelled"
        case .unloaded: "model_unloaded"
        }
    }
}
