/// The answer to `ModelLoader.unload(_:)`.
public enum UnloadOutcome: Sendable, Equatable {
    /// The model was ready and is now `unloaded`.
    case unloaded
    /// The model was not ready (never loaded, loading, failed, ...); nothing changed.
    case notLoaded
    /// No model has this id.
    case unknownModel
}
