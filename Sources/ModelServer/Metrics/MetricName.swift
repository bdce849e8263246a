/// Every metric modeld exports on `GET /metrics`: its name, help line and, for histograms,
/// buckets (STYLE §2: metric names live in one table). Names follow Prometheus conventions:
/// the `modeld_` prefix, base units in the name (`_seconds`, `_bytes`), `_total` on counters.
enum MetricName: String, CaseIterable, Sendable {
    /// Gauge per model and state: 1 for the model's current state, 0 for the six others (the
    /// Prometheus "state set" idiom, as kube-state-metrics' `kube_pod_status_phase`), so
    /// `sum by (state)` counts models per state and no query needs to know a numeric code.
    case modelState = "modeld_model_state"
    /// Gauge per model: bytes it holds — its weights in compute layout when ready, its
    /// load's reserved peak while queued or loading, 0 otherwise (what the memory budget counts).
    case modelMemory = "modeld_model_memory_bytes"
    /// Histogram: from `model_load_started` (load accepted, queued or running) to
    /// `model_load_completed`, queueing and retries included.
    case loadDuration = "modeld_load_duration_seconds"
    /// Histogram per step (label `step`): each step's duration in the successful attempt.
    case loadStepDuration = "modeld_load_step_duration_seconds"
    /// Counter per model: weight bytes read by loads, every attempt included.
    case loadBytes = "modeld_load_bytes_total"
    /// Counter per outcome: loads that ended `completed`, `failed` or `cancelled`.
    case loads = "modeld_loads_total"
    /// Counter per route pattern, method and status.
    case httpRequests = "modeld_http_requests_total"
    /// Histogram per route pattern and method: first request byte to response queued.
    case httpRequestDuration = "modeld_http_request_duration_seconds"
    /// Gauge: WebSocket connections open now.
    case webSocketConnections = "modeld_websocket_connections"
    /// Gauge: Server-Sent Events streams open now (capped by `sse.max-subscribers`).
    case eventStreams = "modeld_sse_streams"
    /// Counter: WebSocket frames written to clients.
    case webSocketMessagesSent = "modeld_websocket_messages_sent_total"
    /// Counter: progress events superseded by a newer one for a slow subscriber.
    case webSocketProgressCoalesced = "modeld_websocket_progress_coalesced_total"
    /// Counter: WebSocket subscribers closed with 1013 for being too slow.
    case webSocketSlowClosed = "modeld_websocket_slow_closed_total"

    /// The `# HELP` line's text.
    var help: String {
        switch self {
        case .modelState: "Whether the model is in this state (1) or not (0)."
        case .modelMemory: "Bytes the model holds against the memory budget: resident when ready, the reserved peak while loading."
        case .loadDuration: "Seconds from a load being accepted to the model being ready."
        case .loadStepDuration: "Seconds each load step took in the attempt that made the model ready."
        case .loadBytes: "Weight bytes read while loading the model, every attempt included."
        case .loads: "Loads that ended, by outcome."
        case .httpRequests: "HTTP responses sent, by route pattern, method and status."
        case .httpRequestDuration: "Seconds from a request's first byte to its response being queued (prebuilt answers such as probes read 0)."
        case .webSocketConnections: "WebSocket connections open now."
        case .eventStreams: "Server-Sent Events streams open now."
        case .webSocketMessagesSent: "WebSocket frames written to clients."
        case .webSocketProgressCoalesced: "Progress events replaced by a newer one before reaching a slow subscriber."
        case .webSocketSlowClosed: "WebSocket subscribers closed with 1013 for falling too far behind."
        }
    }

    /// Upper bounds of a histogram's buckets (`+Inf` is implied); nil for other kinds.
    var buckets: [Duration]? {
        switch self {
        case .loadDuration:
            [.milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
             .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600)]
        case .loadStepDuration:
            [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
             .milliseconds(500), .seconds(1), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300)]
        case .httpRequestDuration:
            // From a probe answered on the loop (tens of microseconds) to an embedding batch.
            [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
             .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
             .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10)]
        default:
            nil
        }
    }

    /// Label names, one spelling each.
    enum Label {
        static let model = "model"
        static let state = "state"
        static let step = "step"
        static let outcome = "outcome"
        static let route = "route"
        static let method = "method"
        static let status = "status"
    }
}
