/// The answer to `ModelLoader.cancel(_:)`.
public enum CancelOutcome: Sendable, Equatable {
    /// The queued or running load is now `cancelled`.
    case cancelled
    /// No load was queued or running.
    case nothingToCancel
    /// No model has this id.
    case unknownModel
}
