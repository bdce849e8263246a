/// What one `SIGHUP` reload did, for the log line, for tests and for callers that report it
/// (systemd's `RELOADING=1` / `READY=1` around it).
public enum ReloadOutcome: Sendable, Equatable {
    /// The new configuration is in force (except `needsRestart`), and the repository was
    /// re-scanned.
    case applied(ReloadSummary)
    /// Nothing changed.
    case rejected(ReloadError)
}

/// The changes an applied reload made.
public struct ReloadSummary: Sendable, Equatable {
    /// Keys whose new value is in force now, in table order.
    public var appliedKeys: [String]
    /// Keys whose new value waits for a restart; their old value stays.
    public var needsRestart: [String]
    /// Models registered by this reload.
    public var modelsAdded: [String]
    /// Models cancelled or unloaded, then forgotten, by this reload.
    public var modelsRemoved: [String]
    /// Models whose manifest or files changed on disk (see `ModelHost.applyRepository`).
    public var modelsChanged: [String]

    public init(appliedKeys: [String] = [], needsRestart: [String] = [], modelsAdded: [String] = [],
                modelsRemoved: [String] = [], modelsChanged: [String] = []) {
        self.appliedKeys = appliedKeys
        self.needsRestart = needsRestart
        self.modelsAdded = modelsAdded
        self.modelsRemoved = modelsRemoved
        self.modelsChanged = modelsChanged
    }
}
