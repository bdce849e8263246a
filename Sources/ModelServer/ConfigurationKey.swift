import WebSocket
import HTTPServer

/// One setting of the daemon: its dotted name, default, unit, help, and the field of
/// `Configuration` it fills. `ConfigurationKey.all` is THE table of settings.
///
/// Names are mechanical so no source can drift from another:
/// - YAML: the dotted name as nested mappings (`http:` then `max-header-bytes:`);
/// - environment: `MODELD_` plus the name upper-cased with `.` and `-` as `_`
///   (`MODELD_HTTP_MAX_HEADER_BYTES`), the encoding swift-configuration's
///   `EnvironmentVariablesProvider` applies to the key `modeld.<name>`;
/// - flag: `--` plus the name with `.` as `-` (`--http-max-header-bytes`), so the group prefix
///   stays visible on the command line.
///
/// Adding a setting is one entry in `all` plus its field in `Configuration`.
public struct ConfigurationKey: Sendable {
    /// The dotted name, as in the YAML file: `http.max-header-bytes`.
    public let name: String
    /// The word standing for the value in help: `N`, `BYTES`, `HOST:PORT`.
    public let placeholder: String
    /// The default, written as it would be in the file or on the command line.
    public let defaultValue: String
    /// The unit of the value, if it has one: `bytes`, `seconds`.
    public let unit: String?
    /// One line saying what the setting controls.
    public let help: String
    /// Whether the setting takes several values: a YAML sequence, comma-separated text in the
    /// environment, or a repeated flag.
    public let isList: Bool
    /// Parses `values` and stores the result in its field of a configuration.
    let assign: @Sendable (inout Configuration, [String]) throws(ConfigurationValueProblem) -> Void
    /// Whether two configurations hold different values for this key (what a reload changes).
    let differs: @Sendable (Configuration, Configuration) -> Bool
    /// Copies this key's value from the second configuration into the first (a reload keeps
    /// the running value of a key that needs a restart).
    let copyValue: @Sendable (inout Configuration, Configuration) -> Void

    init<Value: Equatable & Sendable>(
        _ name: String,
        _ field: any WritableKeyPath<Configuration, Value> & Sendable,
        _ parser: ConfigurationValueParser<Value>,
        default defaultValue: String,
        unit: String? = nil,
        help: String
    ) {
        self.name = name
        self.placeholder = parser.placeholder
        self.defaultValue = defaultValue
        self.unit = unit
        self.help = help
        self.isList = parser.isList
        self.assign = { configuration, values throws(ConfigurationValueProblem) in
            configuration[keyPath: field] = try parser.parse(values)
        }
        self.differs = { old, new in old[keyPath: field] != new[keyPath: field] }
        self.copyValue = { target, source in target[keyPath: field] = source[keyPath: field] }
    }

    /// The command-line flag: `--http-max-header-bytes`.
    public var flag: String { "--" + String(name.map { $0 == "." ? "-" : $0 }) }

    /// The environment variable: `MODELD_HTTP_MAX_HEADER_BYTES`.
    public var environmentName: String {
        "MODELD_" + String(name.uppercased().map { $0 == "." || $0 == "-" ? "_" : $0 })
    }

    /// The name split at dots, as swift-configuration's keys want it.
    var components: [String] { name.split(separator: ".").map(String.init) }

    /// The default as the values a source would hand to `assign`.
    var defaultValues: [String] { Self.splitList(defaultValue, isList: isList) }

    /// Splits list text at commas (scalars, so a comma followed by a combining mark still
    /// separates) and trims each item; scalar text is only trimmed.
    static func splitList(_ text: String, isList: Bool) -> [String] {
        let items = isList
            ? text.unicodeScalars.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
            : [text]
        return items.map(trimmed)
    }

    private static func trimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
            let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(text[first...last])
    }

    /// The placeholder of boolean keys; their flag may stand alone (`--enable-echo`).
    static let booleanPlaceholder = "true|false"

    /// Whether the key is a boolean, so its bare flag means true.
    var isBoolean: Bool { placeholder == Self.booleanPlaceholder }

    /// The key with this dotted name, if there is one.
    public static func named(_ name: String) -> ConfigurationKey? {
        all.first { $0.name == name }
    }

    /// Every setting, in the order help and `Config/modeld.yaml` present them.
    public static let all: [ConfigurationKey] = [
        .init("listen", \.listen, .listenAddresses, default: "0.0.0.0:8080",
              help: "Address to accept HTTP connections on; repeat for several listeners; port 0 picks a free port."),
        .init("event-loops", \.eventLoops, .eventLoops, default: "auto", unit: "threads",
              help: "Event-loop threads; auto means one per online CPU."),
        .init("shutdown-timeout", \.shutdownTimeout, .seconds(allowingZero: true), default: "10", unit: "seconds",
              help: "On SIGTERM or SIGINT, time in-flight requests get to finish before they are cut."),
        .init("not-ready-status", \.notReadyStatus, .oneOf([425, 503]), default: "425",
              help: "Status /readyz answers until the models to load at start-up are ready."),
        .init("http.max-header-bytes", \.http.maxHeaderBytes, .byteCount(allowingZero: false), default: "16384", unit: "bytes",
              help: "Largest request line plus header section; a larger one gets 431."),
        .init("http.max-header-count", \.http.maxHeaderCount, .positiveInteger, default: "100", unit: "fields",
              help: "Most header fields in one request; more get 431."),
        .init("http.max-uri-bytes", \.http.maxURIBytes, .byteCount(allowingZero: false), default: "8192", unit: "bytes",
              help: "Longest request target; a longer one gets 414."),
        .init("http.max-body-bytes", \.http.maxBodyBytes, .byteCount(allowingZero: false), default: "1048576", unit: "bytes",
              help: "Largest request body after chunked decoding; a larger one gets 413."),
        .init("http.header-read-timeout", \.http.headerReadTimeout, .seconds(allowingZero: false), default: "10", unit: "seconds",
              help: "Time from a request's first byte to the end of its headers; slower gets 408 and is closed."),
        .init("http.idle-timeout", \.http.idleTimeout, .seconds(allowingZero: false), default: "60", unit: "seconds",
              help: "Time a keep-alive connection may sit idle between requests before it is closed."),
        .init("http.max-connections", \.http.maxConnections, .positiveInteger, default: "10000", unit: "connections",
              help: "Open client connections across all loops; new ones past it are closed at once."),
        .init("http.body-read-timeout", \.http.bodyReadTimeout, .seconds(allowingZero: false), default: "30", unit: "seconds",
              help: "Time from the end of a request's headers to the end of its body; slower gets 408 and is closed."),
        .init("http.write-timeout", \.http.writeTimeout, .seconds(allowingZero: false), default: "30", unit: "seconds",
              help: "Time queued output may wait with no byte taken by the client; then the connection is closed."),
        .init("log.level", \.logLevel, .logLevel, default: "info",
              help: "Least severe level logged: trace, debug, info, notice, warning, error or critical."),
        .init("log.format", \.logFormat, .logFormat, default: "keyvalue",
              help: "Log line format: keyvalue (key=value pairs) or json (one object per line)."),
        .init("model-repository", \.modelRepository, .path, default: "models",
              help: "Directory holding one folder per model."),
        .init("state-dir", \.stateDir, .path, default: "state",
              help: "Directory for state kept across restarts, such as load-time history."),
        .init("load-at-startup", \.loadAtStartup, .loadAtStartup, default: "all",
              help: "Models to load at start-up: all, none, or a comma-separated list of model IDs."),
        .init("max-concurrent-loads", \.maxConcurrentLoads, .positiveInteger, default: "1", unit: "loads",
              help: "Model loads running at the same time."),
        .init("max-read-bytes-per-second", \.maxReadBytesPerSecond, .byteCount(allowingZero: true), default: "0",
              unit: "bytes per second", help: "Cap on the read rate while loading (step 5); 0 means unlimited."),
        .init("memory-budget", \.memoryBudgetBytes, .byteCount(allowingZero: true), default: "0", unit: "bytes",
              help: "Memory loaded models may hold; 0 means the cgroup limit, else available memory."),
        .init("load-stall-timeout", \.loadStallTimeout, .seconds(allowingZero: false), default: "60", unit: "seconds",
              help: "A load step that makes no progress for this long fails."),
        .init("load-retries", \.loadRetries, .nonNegativeInteger, default: "0", unit: "retries",
              help: "Times a failed load is retried before it stays failed."),
        .init("admin-token-file", \.adminTokenFile, .optionalPath, default: "",
              help: "File holding the bearer token mutating endpoints require; unset, they are off (403 admin_disabled)."),
        .init("embeddings.max-batch-size", \.embeddingMaxBatchSize, .positiveInteger, default: "32", unit: "texts",
              help: "Most texts embedded in one forward pass; requests arriving together share it."),
        .init("embeddings.max-batch-wait", \.embeddingMaxBatchWait, .seconds(allowingZero: true), default: "0",
              unit: "seconds",
              help: "How long a request that finds the model idle waits for others; 0 runs it at once."),
        .init("embeddings.max-inputs", \.embeddingLimits.maxInputs, .positiveInteger, default: "2048", unit: "texts",
              help: "Most texts in one embeddings request; more get 413 too_many_inputs."),
        .init("embeddings.max-tokens-per-request", \.embeddingLimits.maxTokensPerRequest, .positiveInteger,
              default: "65536", unit: "tokens",
              help: "Most tokens (after truncation) in one embeddings request; more get 413 too_many_tokens."),
        .init("embeddings.max-batch-tokens", \.embeddingLimits.maxBatchTokens, .positiveInteger, default: "8192",
              unit: "tokens", help: "Largest forward pass (texts x longest text); bigger requests run as several."),
        .init("embeddings.max-queued-tokens", \.embeddingLimits.maxQueuedTokens, .positiveInteger, default: "131072",
              unit: "tokens", help: "Tokens queued or running per model; past it requests get 503 overloaded."),
        .init("enable-echo", \.enableEcho, .boolean, default: "false",
              help: "Serve GET /ws/echo, a WebSocket echo endpoint for conformance suites (Autobahn)."),
        .init("websocket.ping-interval", \.webSocketPingInterval, .seconds(allowingZero: false), default: "30",
              unit: "seconds", help: "Idle WebSocket connections are pinged this often; two missed pongs close them."),
        .init("websocket.outbound-soft-bytes", \.outboundLimits.softBytes, .byteCount(allowingZero: false),
              default: "262144", unit: "bytes",
              help: "Queued output past which a subscriber's progress events are coalesced."),
        .init("websocket.outbound-hard-bytes", \.outboundLimits.hardBytes, .byteCount(allowingZero: false),
              default: "4194304", unit: "bytes", help: "Queued output past which a subscriber is closed with 1013."),
        .init("websocket.allowed-origins", \.allowedOrigins, .originList, default: "",
              help: "Other origins allowed to open WebSockets (comma-separated; * allows any); no-Origin and same-origin always pass."),
        .init("websocket.max-rooms-per-connection", \.maxRoomsPerConnection, .positiveInteger, default: "64", unit: "rooms",
              help: "Rooms one WebSocket may be in; a subscribe past it gets a too_many_rooms error event."),
        .init("sse.max-subscribers", \.maxEventStreams, .positiveInteger, default: "1000", unit: "streams",
              help: "Event streams (SSE) open at once; more get 503 too_many_subscribers and Retry-After."),
        .init("tls.certificate-file", \.tlsCertificateFile, .optionalPath, default: "",
              help: "PEM certificate chain (leaf first); with tls.key-file, every listener speaks HTTPS and WSS."),
        .init("tls.key-file", \.tlsKeyFile, .optionalPath, default: "",
              help: "PEM private key of tls.certificate-file (unencrypted); re-read with the certificate on SIGHUP."),
        .init("socketio.enabled", \.socketIOEnabled, .boolean, default: "true",
              help: "Serve Socket.IO (Engine.IO v4 polling and websocket) at socketio.path for socket.io-client frontends."),
        .init("socketio.path", \.socketIOPath, .urlPath, default: "/socket.io/",
              help: "The path Socket.IO is served at (socket.io-client's `path` option)."),
        .init("socketio.ping-interval", \.socketIOPingInterval, .seconds(allowingZero: false), default: "25",
              unit: "seconds", help: "The server pings each Socket.IO session this often (Engine.IO pingInterval)."),
        .init("socketio.ping-timeout", \.socketIOPingTimeout, .seconds(allowingZero: false), default: "20",
              unit: "seconds", help: "A Socket.IO session that does not answer a ping within this is closed."),
        .init("socketio.max-payload", \.socketIOMaxPayload, .byteCount(allowingZero: false), default: "1000000",
              unit: "bytes", help: "Largest POST body or WebSocket message a Socket.IO client may send; more gets 413 or 1009."),
        .init("socketio.max-sessions", \.socketIOMaxSessions, .positiveInteger, default: "10000", unit: "sessions",
              help: "Engine.IO sessions open at once (polling and websocket); past it a handshake gets 503 with Retry-After."),
        .init("hub.endpoint", \.hubEndpoint, .optionalURL, default: "",
              help: "Model hub for hf:// sources and modeld pull; unset, HF_ENDPOINT, else https://huggingface.co."),
        .init("hub.token-file", \.hubTokenFile, .optionalPath, default: "",
              help: "File holding the hub's access token; unset, HF_TOKEN, else no token."),
        .init("hub.offline", \.hubOffline, .boolean, default: "false",
              help: "Make no hub request: hf:// models come from the cache alone (also when HF_HUB_OFFLINE=1)."),
        .init("hub.cache-dir", \.hubCacheDir, .optionalPath, default: "",
              help: "Hub cache shared with huggingface_hub; unset, HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub."),
        .init("hub.ca-file", \.hubCAFile, .optionalPath, default: "",
              help: "PEM CA bundle that alone verifies the hub's certificate; unset, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE, else the system store."),
        .init("model", \.hubModels, .hubModels, default: "",
              help: "A model served from the hub without a folder, ID=hf://ORG/NAME[@REV] (bert-embedding); repeatable."),
    ]
}
