public import Foundation

/// One model's state at one instant, as probes, `/v1/models/{id}` and the dashboard show it.
///
/// Immutable once published inside a `RegistrySnapshot`. Load fields (`step`, `progress`,
/// bytes, ETA) describe the current attempt while `queued`/`loading`, and the last load
/// afterwards (`failed` and `cancelled` keep the step they stopped at).
public struct ModelStatus: Sendable, Equatable {
    /// The model's id.
    public var id: String
    /// Whether `/readyz` waits for this model.
    public var required: Bool
    /// Where the model stands.
    public var state: ModelState
    /// The step running (`loading`) or where the load stopped (`failed`, `cancelled`);
    /// `nil` before step 1 began.
    public var step: LoadStep?
    /// Overall fraction of the load, 0...1, weighted by expected step durations. Never
    /// decreases within an attempt; 1 once `ready`.
    public var progress: Double
    /// Bytes of weights read so far in step 5 (0 before it).
    public var bytesLoaded: Int64
    /// Bytes of weights step 5 reads (0 until the job reported them).
    public var bytesTotal: Int64
    /// Expected seconds until ready as of the last event (step start or byte update); `nil`
    /// when nothing to estimate from.
    public var etaSeconds: Int?
    /// Why the last load failed (`failed` only).
    public var failure: LoadFailure?
    /// The download running in the current step, if any (hub models, step 3).
    public var transfer: LoadTransfer?
    /// The 1-based attempt of the current or last load (0 when never loaded). A retry after a
    /// failure is a new attempt whose progress restarts from step 1.
    public var attempt: Int
    /// When the model became ready (`ready` only).
    public var readySince: Date?
    /// Step durations of the load that made the model ready (`ready` only).
    public var timings: LoadTimings?

    /// A status; the defaults describe a known model never loaded.
    public init(id: String, required: Bool, state: ModelState = .unloaded, step: LoadStep? = nil,
                progress: Double = 0, bytesLoaded: Int64 = 0, bytesTotal: Int64 = 0,
                etaSeconds: Int? = nil, failure: LoadFailure? = nil, attempt: Int = 0,
                readySince: Date? = nil, timings: LoadTimings? = nil) {
        self.id = id
        self.required = required
        self.state = state
        self.step = step
        self.progress = progress
        self.bytesLoaded = bytesLoaded
        self.bytesTotal = bytesTotal
        self.etaSeconds = etaSeconds
        self.failure = failure
        self.attempt = attempt
        self.readySince = readySince
        self.timings = timings
    }

    /// The phase of `step` (`loading_model`, ...), for bodies that show it.
    public var phase: LoadPhase? { step?.phase }

    /// The message of `step` ("Loading model weights..."), for bodies that show it.
    public var message: String? { step?.message }
}
