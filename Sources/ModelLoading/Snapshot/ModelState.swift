/// Where a model stands, as named on the wire (DESIGN §1.2): `unloaded → queued →
/// loading(step) → ready`, or `→ failed(step, error)`, `→ cancelled(step)`;
/// `ready → unloading → unloaded`.
///
/// The raw value is the `state` string of probe bodies, `/v1/models` and events.
public enum ModelState: String, Sendable, CaseIterable {
    /// Known, not in memory, no load requested (or unloaded since).
    case unloaded
    /// A load was requested and waits for a free load slot (FIFO).
    case queued
    /// A load is running through the nine steps.
    case loading
    /// Loaded and serving.
    case ready
    /// The last load failed; the model stays out of service until loaded again.
    case failed
    /// The last load was cancelled; the model stays out of service until loaded again.
    case cancelled
    /// Being taken out of service.
    case unloading

    /// True while a load is queued or running: a new load request joins it.
    public var isLoadPending: Bool {
        self == .queued || self == .loading
    }

    /// True for the states a load ends in (`ready`, `failed`, `cancelled`).
    public var isLoadOutcome: Bool {
        self == .ready || self == .failed || self == .cancelled
    }
}
