/// Which settings a `SIGHUP` applies to the running server and which need a restart.
///
/// Live settings reach requests through small holders the routes read per request (see
/// `ConfigurationReloader`). Restart settings shape things built once at start-up: the
/// listening sockets and loop threads (`listen`, `event-loops`), the per-loop HTTP
/// contexts (`http.*`), the log handlers' format (`log.format`), the state directory's
/// files (`state-dir`) and the route table (`enable-echo`). A key in neither list is
/// treated as needing a restart, and a test fails until it is classified.
extension ConfigurationKey {
    /// When a new value of a key takes effect.
    enum ReloadScope: Sendable, Equatable {
        /// Applied by `SIGHUP` without dropping connections.
        case live
        /// Logged (`reload needs restart key=...`); the old value stays until a restart.
        case restart
    }

    /// Keys a reload applies while the server runs.
    static let liveKeyNames: Set<String> = [
        "shutdown-timeout", "not-ready-status", "log.level", "model-repository", "load-at-startup",
        "max-concurrent-loads", "max-read-bytes-per-second", "memory-budget", "load-stall-timeout",
        "load-retries", "admin-token-file", "embeddings.max-batch-size", "embeddings.max-batch-wait",
        "embeddings.max-inputs", "embeddings.max-tokens-per-request", "embeddings.max-batch-tokens",
        "embeddings.max-queued-tokens",
        "websocket.ping-interval", "websocket.outbound-soft-bytes", "websocket.outbound-hard-bytes",
        "websocket.allowed-origins", "tls.certificate-file", "tls.key-file",
        "websocket.max-rooms-per-connection", "sse.max-subscribers",
    ]

    /// Keys whose new value waits for a restart.
    static let restartKeyNames: Set<String> = [
        "listen", "event-loops", "http.max-header-bytes", "http.max-header-count", "http.max-uri-bytes",
        "http.max-body-bytes", "http.header-read-timeout", "http.idle-timeout", "http.max-connections",
        "http.body-read-timeout", "http.write-timeout",
        "log.format", "state-dir", "enable-echo",
        "socketio.enabled", "socketio.path", "socketio.ping-interval", "socketio.ping-timeout", "socketio.max-payload",
        "socketio.max-sessions",
        "hub.endpoint", "hub.token-file", "hub.offline", "hub.cache-dir", "hub.ca-file", "model",
    ]

    /// When a new value of this key takes effect.
    var reloadScope: ReloadScope {
        Self.liveKeyNames.contains(name) ? .live : .restart
    }

    /// The keys whose values differ between `old` and `new`, in table order.
    static func changedKeys(from old: Configuration, to new: Configuration) -> [ConfigurationKey] {
        all.filter { $0.differs(old, new) }
    }
}
