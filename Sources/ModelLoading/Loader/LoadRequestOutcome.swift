/// The answer to `ModelLoader.load(_:)`.
public enum LoadRequestOutcome: Sendable, Equatable {
    /// A new load began running.
    case started
    /// A new load waits for a free slot (`queued`).
    case queued
    /// The model was already queued or loading: the request joined that load.
    case joined
    /// The model is ready; nothing to do.
    case alreadyReady
    /// No model has this id.
    case unknownModel
}
