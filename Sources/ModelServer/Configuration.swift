public import WebSocket
public import HTTPServer
public import Logging

/// Every setting of the daemon, as one value built once at start-up (STYLE §8).
///
/// Build it with `Configuration.load(arguments:environment:)`, which layers defaults, the YAML
/// file, `MODELD_*` environment variables and flags, and validates every value. `SIGHUP`
/// builds a fresh value and swaps it in; nothing mutates a configuration in use. The fields
/// are `var` only so tests can adjust a copy of `defaults`.
///
/// Each field's key, default and unit are in `ConfigurationKey.all`, the single table that
/// also generates `modeld --help` and documents `Config/modeld.yaml`.
public struct Configuration: Sendable, Equatable {
    /// Addresses to accept HTTP connections on, one listener each (`listen`).
    /// Default `0.0.0.0:8080`.
    public var listen: [ListenAddress]
    /// Event-loop threads (`event-loops`). Default: the number of online CPUs.
    public var eventLoops: Int
    /// How long a drain waits for in-flight requests before cancelling them
    /// (`shutdown-timeout`). Default 10 s.
    public var shutdownTimeout: Duration
    /// Status `/readyz` answers while not ready: 425 or 503 (`not-ready-status`). Default 425.
    public var notReadyStatus: Int
    /// Limits applied to every HTTP connection (`http.*`). Defaults as in `HTTPLimits`.
    public var http: HTTPLimits
    /// Least severe level written to the log (`log.level`). Default `info`.
    public var logLevel: Logger.Level
    /// Log line format (`log.format`). Default `keyvalue`.
    public var logFormat: LogFormat
    /// Directory holding one folder per model (`model-repository`). Default `models`,
    /// relative to the working directory.
    public var modelRepository: String
    /// Directory for state kept across restarts, such as load-time history (`state-dir`).
    /// Default `state`.
    public var stateDir: String
    /// Models to load at start-up (`load-at-startup`). Default `.all`.
    public var loadAtStartup: LoadAtStartup
    /// Loads running at the same time (`max-concurrent-loads`). Default 1.
    public var maxConcurrentLoads: Int
    /// Cap on the read rate of load step 5, in bytes per second; 0 means unlimited
    /// (`max-read-bytes-per-second`). Default 0.
    public var maxReadBytesPerSecond: Int
    /// Memory loaded models may hold, in bytes; 0 means the cgroup's memory limit, else the
    /// available memory (`memory-budget`). Default 0.
    public var memoryBudgetBytes: Int
    /// A load step that reports no progress for this long fails (`load-stall-timeout`).
    /// Default 60 s.
    public var loadStallTimeout: Duration
    /// Times a failed load is retried before it stays failed (`load-retries`). Default 0.
    public var loadRetries: Int
    /// File holding the bearer token that mutating endpoints require; nil means they need
    /// no token (`admin-token-file`). Default nil.
    public var adminTokenFile: String?
    /// Most texts embedded in one forward pass (`embeddings.max-batch-size`). Default 32.
    public var embeddingMaxBatchSize: Int
    /// How long a request that finds its model idle waits for others to join its pass; zero
    /// runs it at once (`embeddings.max-batch-wait`). Default 0.
    public var embeddingMaxBatchWait: Duration
    /// What one embeddings client can make a model do (`embeddings.max-inputs`,
    /// `embeddings.max-tokens-per-request`, `embeddings.max-batch-tokens`,
    /// `embeddings.max-queued-tokens`). Defaults as in `EmbeddingLimits`.
    public var embeddingLimits: EmbeddingLimits
    /// Serve `GET /ws/echo` for conformance suites (`enable-echo`). Default false.
    public var enableEcho: Bool
    /// How often idle WebSocket connections are pinged (`websocket.ping-interval`). Default 30 s.
    public var webSocketPingInterval: Duration
    /// The slow-subscriber limits of WebSocket and event-stream clients
    /// (`websocket.outbound-soft-bytes`, `websocket.outbound-hard-bytes`).
    public var outboundLimits: OutboundLimits
    /// Origins allowed to open WebSockets besides requests without `Origin` and same-origin
    /// ones; `*` allows any (`websocket.allowed-origins`). Default empty.
    public var allowedOrigins: [String]
    /// Rooms one WebSocket connection may be in (`websocket.max-rooms-per-connection`).
    /// Default 64.
    public var maxRoomsPerConnection: Int
    /// Server-Sent Events streams open at once (`sse.max-subscribers`). Default 1000.
    public var maxEventStreams: Int
    /// PEM certificate chain file; with `tlsKeyFile`, every listener speaks TLS
    /// (`tls.certificate-file`). Default nil (plain HTTP).
    public var tlsCertificateFile: String?
    /// PEM private key file of `tlsCertificateFile` (`tls.key-file`). Default nil.
    public var tlsKeyFile: String?
    /// Serve Socket.IO (`socketio.enabled`). Default true.
    public var socketIOEnabled: Bool
    /// Where Socket.IO is served (`socketio.path`). Default `/socket.io/`.
    public var socketIOPath: String
    /// Engine.IO pingInterval (`socketio.ping-interval`). Default 25 s.
    public var socketIOPingInterval: Duration
    /// Engine.IO pingTimeout (`socketio.ping-timeout`). Default 20 s.
    public var socketIOPingTimeout: Duration
    /// Engine.IO maxPayload (`socketio.max-payload`). Default 1,000,000 bytes.
    public var socketIOMaxPayload: Int
    /// Engine.IO sessions open at once (`socketio.max-sessions`). Default 10,000.
    public var socketIOMaxSessions: Int
    /// The model hub's base URL; nil means `HF_ENDPOINT`, else the public hub (`hub.endpoint`).
    public var hubEndpoint: String?
    /// File holding the hub token; nil means `HF_TOKEN` (`hub.token-file`). Default nil.
    public var hubTokenFile: String?
    /// Make no hub request, answer `hf://` models from the cache (`hub.offline`); also on when
    /// `HF_HUB_OFFLINE=1`. Default false.
    public var hubOffline: Bool
    /// The hub cache folder; nil means `HF_HUB_CACHE`, `$HF_HOME/hub`,
    /// `~/.cache/huggingface/hub` (`hub.cache-dir`). Default nil.
    public var hubCacheDir: String?
    /// The PEM bundle that replaces the system store for hub requests; nil means
    /// `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`, `SSL_CERT_FILE`, else the system store
    /// (`hub.ca-file`). Default nil.
    public var hubCAFile: String?
    /// Models served from the hub without a folder (`model`, `--model ID=hf://ORG/NAME[@REV]`,
    /// repeatable). Default none.
    public var hubModels: [HubModelFlag]

    /// The built-in defaults: every key of `ConfigurationKey.all` at its default value.
    public static let defaults: Configuration = {
        var configuration = Configuration(placeholders: ())
        for key in ConfigurationKey.all {
            do throws(ConfigurationValueProblem) {
                try key.assign(&configuration, key.defaultValues)
            } catch {
                // Internal invariant: the table's defaults parse (a test checks every one).
                preconditionFailure("default of \(key.name) does not parse: \(error.message)")
            }
        }
        return configuration
    }()

    /// Values that `defaults` overwrites key by key, so the table stays the one place
    /// defaults are written.
    private init(placeholders: Void) {
        listen = []
        eventLoops = 1
        shutdownTimeout = .zero
        notReadyStatus = 0
        http = HTTPLimits()
        logLevel = .info
        logFormat = .keyValue
        modelRepository = ""
        stateDir = ""
        loadAtStartup = .none
        maxConcurrentLoads = 1
        maxReadBytesPerSecond = 0
        memoryBudgetBytes = 0
        loadStallTimeout = .zero
        loadRetries = 0
        adminTokenFile = nil
        embeddingMaxBatchSize = 1
        embeddingMaxBatchWait = .zero
        embeddingLimits = EmbeddingLimits()
        enableEcho = false
        webSocketPingInterval = .zero
        outboundLimits = OutboundLimits()
        allowedOrigins = []
        maxRoomsPerConnection = 1
        maxEventStreams = 1
        tlsCertificateFile = nil
        tlsKeyFile = nil
        socketIOEnabled = false
        socketIOPath = ""
        socketIOPingInterval = .zero
        socketIOPingTimeout = .zero
        socketIOMaxPayload = 1
        socketIOMaxSessions = 1
        hubEndpoint = nil
        hubTokenFile = nil
        hubOffline = false
        hubCacheDir = nil
        hubCAFile = nil
        hubModels = []
    }
}
