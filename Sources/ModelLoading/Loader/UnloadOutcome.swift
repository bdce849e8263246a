/// The answer to `ModelLoader.unload(_:)`.
public enum UnloadOutcome: Sendable, Equatable {
    /// The model was ready and is now `unloaded`.
    case unloaded
    /// The model was queued or loading: its load was cancelled and it is now `unloaded`.
    case cancelledLoad
    /// Nothing was loaded or loading; `state` is what the model is (`unloaded`, `failed` or
    /// `cancelled`); nothing changed.
    case notLoaded(state: ModelState)
    /// No model has this id.
    case unknownModel
}
