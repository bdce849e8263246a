/// Which models of the repository the daemon starts loading when it starts.
public enum LoadAtStartup: Sendable, Equatable {
    /// Every model found in the repository (the default).
    case all
    /// None; models load only when asked through the API.
    case none
    /// Only these model IDs, in this order.
    case only([String])
}
