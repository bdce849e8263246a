import FuzzSupport
@testable import ModelServer

/// Renders a configuration's values as the text a flag takes, and compares them, key by
/// key. The product has no renderer (help shows defaults, not values), so this is the
/// fuzz target's own; a key missing here stops the target at its first input.
enum ConfigurationRendering {
    /// How one key's value is written and compared.
    struct Entry: Sendable {
        let values: @Sendable (Configuration) -> [String]
        let same: @Sendable (Configuration, Configuration) -> Bool
    }

    /// The key's value as flag values (several for a list key).
    static func values(_ key: ConfigurationKey, _ configuration: Configuration) -> [String] {
        entry(key).values(configuration)
    }

    /// Whether two configurations hold the same value for the key.
    static func same(_ key: ConfigurationKey, _ a: Configuration, _ b: Configuration) -> Bool {
        entry(key).same(a, b)
    }

    private static func entry(_ key: ConfigurationKey) -> Entry {
        guard let entry = entries[key.name] else {
            fatalError("fuzz property failed: no rendering for \(key.name); add it to ConfigurationRendering")
        }
        return entry
    }

    private typealias Field<Value> = any KeyPath<Configuration, Value> & Sendable

    private static func exact<Value: Equatable & Sendable>(_ field: Field<Value>, _ render: @escaping @Sendable (Value) -> [String]) -> Entry {
        Entry(values: { render($0[keyPath: field]) }, same: { $0[keyPath: field] == $1[keyPath: field] })
    }

    private static func int(_ field: Field<Int>) -> Entry { exact(field) { [String($0)] } }

    private static func path(_ field: Field<String?>) -> Entry { exact(field) { [$0 ?? ""] } }

    /// Seconds travel through a `Double`, so a long duration may come back a few
    /// nanoseconds off; equal here means within a microsecond.
    private static func seconds(_ field: Field<Duration>) -> Entry {
        Entry(
            values: { [String(Double(nanoseconds($0[keyPath: field])) / 1e9)] },
            same: { abs(nanoseconds($0[keyPath: field]) - nanoseconds($1[keyPath: field])) <= 1_000 })
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private static let entries: [String: Entry] = [
        "listen": exact(\.listen) { $0.map(\.description) },
        "event-loops": int(\.eventLoops),
        "shutdown-timeout": seconds(\.shutdownTimeout),
        "not-ready-status": int(\.notReadyStatus),
        "http.max-header-bytes": int(\.http.maxHeaderBytes),
        "http.max-header-count": int(\.http.maxHeaderCount),
        "http.max-uri-bytes": int(\.http.maxURIBytes),
        "http.max-body-bytes": int(\.http.maxBodyBytes),
        "http.header-read-timeout": seconds(\.http.headerReadTimeout),
        "http.idle-timeout": seconds(\.http.idleTimeout),
        "http.max-connections": int(\.http.maxConnections),
        "http.body-read-timeout": seconds(\.http.bodyReadTimeout),
        "http.write-timeout": seconds(\.http.writeTimeout),
        "log.level": exact(\.logLevel) { [$0.rawValue] },
        "log.format": exact(\.logFormat) { [$0.rawValue] },
        "model-repository": exact(\.modelRepository) { [$0] },
        "state-dir": exact(\.stateDir) { [$0] },
        "load-at-startup": exact(\.loadAtStartup) { load in
            switch load {
            case .all: ["all"]
            case .none: ["none"]
            case .only(let ids): ids
            }
        },
        "max-concurrent-loads": int(\.maxConcurrentLoads),
        "max-read-bytes-per-second": int(\.maxReadBytesPerSecond),
        "memory-budget": int(\.memoryBudgetBytes),
        "load-stall-timeout": seconds(\.loadStallTimeout),
        "load-retries": int(\.loadRetries),
        "admin-token-file": path(\.adminTokenFile),
        "embeddings.max-batch-size": int(\.embeddingMaxBatchSize),
        "embeddings.max-batch-wait": seconds(\.embeddingMaxBatchWait),
        "embeddings.max-inputs": int(\.embeddingLimits.maxInputs),
        "embeddings.max-tokens-per-request": int(\.embeddingLimits.maxTokensPerRequest),
        "embeddings.max-batch-tokens": int(\.embeddingLimits.maxBatchTokens),
        "embeddings.max-queued-tokens": int(\.embeddingLimits.maxQueuedTokens),
        "enable-echo": exact(\.enableEcho) { [$0 ? "true" : "false"] },
        "websocket.ping-interval": seconds(\.webSocketPingInterval),
        "websocket.outbound-soft-bytes": int(\.outboundLimits.softBytes),
        "websocket.outbound-hard-bytes": int(\.outboundLimits.hardBytes),
        "websocket.allowed-origins": exact(\.allowedOrigins) { $0 },
        "websocket.max-rooms-per-connection": int(\.maxRoomsPerConnection),
        "sse.max-subscribers": int(\.maxEventStreams),
        "tls.certificate-file": path(\.tlsCertificateFile),
        "tls.key-file": path(\.tlsKeyFile),
        "socketio.enabled": exact(\.socketIOEnabled) { [$0 ? "true" : "false"] },
        "socketio.path": exact(\.socketIOPath) { [$0] },
        "socketio.ping-interval": seconds(\.socketIOPingInterval),
        "socketio.ping-timeout": seconds(\.socketIOPingTimeout),
        "socketio.max-payload": int(\.socketIOMaxPayload),
        "socketio.max-sessions": int(\.socketIOMaxSessions),
        "hub.endpoint": path(\.hubEndpoint),
        "hub.token-file": path(\.hubTokenFile),
        "hub.offline": exact(\.hubOffline) { [$0 ? "true" : "false"] },
        "hub.cache-dir": path(\.hubCacheDir),
        "hub.ca-file": path(\.hubCAFile),
        "model": exact(\.hubModels) { $0.map { "\($0.id)=\($0.reference)" } },
    ]
}
