public import ModelRuntime

/// One load of one model: the work behind each step of the table, in order.
///
/// The `ModelLoader` creates a job per load attempt and calls `run(_:progress:)` for steps
/// 1 through 9 on a dedicated thread (blocking file I/O and compute never touch an event
/// loop or the cooperative pool). Cancellation is checked by the loader before every step
/// and by the job inside long steps through `progress.isCancelled`.
public protocol LoadJob: AnyObject {
    /// Does the real work of `step`. Throws a `ModelLoadError` whose code names what was
    /// wrong; `.cancelled` when `progress.isCancelled()` turned true mid-step.
    func run(_ step: LoadStep, progress: LoadProgressSink) throws(ModelLoadError)

    /// After step 9 succeeded: the model, ready to serve.
    func takeLoadedModel() -> (any LoadedModel)?

    /// Releases everything the job holds: buffers, file descriptors, mappings, the
    /// runtime session. Safe to call more than once; called on cancel, failure and success.
    func release()
}

/// How a running job reports inside a step, and learns it was cancelled.
public struct LoadProgressSink: Sendable {
    /// Bytes done out of the step's total (step 5: bytes of weights read and hashed). Cheap
    /// to call per chunk: the loader throttles what it publishes (at most every 100 ms).
    public var reportBytes: @Sendable (_ loaded: Int64, _ total: Int64) -> Void
    /// True once the load was cancelled; long steps check it per chunk.
    public var isCancelled: @Sendable () -> Bool
    /// How far a compute step (7, 8) is, in any unit: feeds the ETA only (no event).
    public var reportWork: @Sendable (_ done: Int64, _ total: Int64) -> Void
    /// The file a download is fetching and its smoothed rate (step 3 of a hub model); call
    /// before the `reportBytes` it goes with, which publishes both.
    public var reportTransfer: @Sendable (_ transfer: LoadTransfer) -> Void

    public init(reportBytes: @escaping @Sendable (Int64, Int64) -> Void, isCancelled: @escaping @Sendable () -> Bool,
                reportWork: @escaping @Sendable (Int64, Int64) -> Void = { _, _ in },
                reportTransfer: @escaping @Sendable (LoadTransfer) -> Void = { _ in }) {
        self.reportBytes = reportBytes
        self.isCancelled = isCancelled
        self.reportWork = reportWork
        self.reportTransfer = reportTransfer
    }
}

/// Why a load failed, with a stable code for clients (`{"error":{"code":...}}`, events,
/// `/readyz` bodies) and a message for people. The step is recorded by the loader.
public struct ModelLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable snake_case code: `file_not_found`, `permission_denied`, `header_past_end`,
    /// `digest_mismatch`, `insufficient_memory`, `load_stalled`, `cancelled`, ...
    public var code: String
    /// One sentence for people.
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The load was cancelled while this step ran.
    public static let cancelled = ModelLoadError(code: "cancelled", message: "The load was cancelled.")

    public var description: String { "\(code): \(message)" }
}
