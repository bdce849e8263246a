/// Why a load failed, where: the stable code and message of the `ModelLoadError` that ended
/// it, plus the step that was running (`nil` when the load failed before step 1 began).
///
/// Carried by `model_load_failed` events and by the `failed` status that `/readyz`'s `503`
/// body and `/v1/models/{id}` show.
public struct LoadFailure: Sendable, Equatable, CustomStringConvertible {
    /// Stable snake_case code (`digest_mismatch`, `load_stalled`, ...).
    public var code: String
    /// One sentence for people.
    public var message: String
    /// The step that was running when the load failed.
    public var step: LoadStep?

    /// A failure with this code and message at `step`.
    public init(code: String, message: String, step: LoadStep?) {
        self.code = code
        self.message = message
        self.step = step
    }

    /// Builds the failure of `error` raised during `step`.
    public init(_ error: ModelLoadError, step: LoadStep?) {
        self.init(code: error.code, message: error.message, step: step)
    }

    /// The code of a load that made no progress for `loadStallTimeout`.
    public static let stalledCode = "load_stalled"

    public var description: String {
        "\(code) at step \(step.map { String($0.number) } ?? "-"): \(message)"
    }
}
