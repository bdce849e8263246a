import CoreMetrics
import Synchronization
import WebSocket

/// Publishes the WebSocket layer's counters (`WebSocketCounters`, atomics the loops update)
/// as `modeld_websocket_*` metrics when `/metrics` is rendered: the open connections (and
/// the open event streams, `modeld_sse_streams`, whose cap is `sse.max-subscribers`) as
/// gauges, the three running totals as counters advanced by what they grew since the last
/// rendering. The WebSocket layer itself knows nothing of metrics.
final class WebSocketMetrics: Sendable {
    private let counters: WebSocketCounters
    private let connections: Gauge
    private let eventStreams: Gauge
    private let messagesSent: CoreMetrics.Counter
    private let progressCoalesced: CoreMetrics.Counter
    private let slowClosed: CoreMetrics.Counter
    /// The totals already published (framesSent, messagesCoalesced, slowConnectionsClosed).
    private let published = Mutex<(sent: Int, coalesced: Int, slowClosed: Int)>((0, 0, 0))

    init(counters: WebSocketCounters, factory: any MetricsFactory) {
        self.counters = counters
        connections = Gauge(label: MetricName.webSocketConnections.rawValue, factory: factory)
        eventStreams = Gauge(label: MetricName.eventStreams.rawValue, factory: factory)
        messagesSent = CoreMetrics.Counter(label: MetricName.webSocketMessagesSent.rawValue, factory: factory)
        progressCoalesced = CoreMetrics.Counter(label: MetricName.webSocketProgressCoalesced.rawValue, factory: factory)
        slowClosed = CoreMetrics.Counter(label: MetricName.webSocketSlowClosed.rawValue, factory: factory)
        connections.record(0)
        eventStreams.record(0)
    }

    /// Brings the metrics up to the counters' current values.
    func refresh() {
        connections.record(counters.openConnections)
        eventStreams.record(counters.openEventStreams)
        // Under the lock, so two renderings at once never publish the same growth twice.
        published.withLock { published in
            let sent = counters.framesSent
            let coalesced = counters.messagesCoalesced
            let closed = counters.slowConnectionsClosed
            messagesSent.increment(by: max(0, sent - published.sent))
            progressCoalesced.increment(by: max(0, coalesced - published.coalesced))
            slowClosed.increment(by: max(0, closed - published.slowClosed))
            published = (max(sent, published.sent), max(coalesced, published.coalesced), max(closed, published.slowClosed))
        }
    }
}
