import CoreMetrics
import HTTPServer
import ModelLoading
import Synchronization
import WebSocket

/// Everything `GET /metrics` shows: load metrics (`LoadMetrics`, fed by the loader's events)
/// and WebSocket metrics (`WebSocketMetrics`, read from the WebSocket layer's counters) in
/// the swift-metrics registry (`ServerMetricsFactory`), then request metrics (`HTTPMetrics`,
/// per-loop tallies fed by the server's observer hook).
///
/// Values that live elsewhere (models by state, open WebSocket connections and the
/// WebSocket totals) are copied into their metrics when the text is rendered; the rest is
/// updated as it happens.
final class ServerMetrics: Sendable {
    let factory: ServerMetricsFactory
    private let loader: ModelLoader
    private let modelMemory: @Sendable (ModelStatus) -> Int
    private let loads: LoadMetrics
    private let webSocket: WebSocketMetrics
    private let http = Mutex<HTTPMetrics?>(nil)
    private let subscription = Mutex<LoadSubscription?>(nil)

    /// - Parameter modelMemory: the bytes a model holds (`modeld_model_memory_bytes`).
    init(factory: ServerMetricsFactory, loader: ModelLoader, webSocketCounters: WebSocketCounters,
         modelMemory: @escaping @Sendable (ModelStatus) -> Int = { _ in 0 }) {
        self.factory = factory
        self.loader = loader
        self.modelMemory = modelMemory
        loads = LoadMetrics(factory: factory)
        webSocket = WebSocketMetrics(counters: webSocketCounters, factory: factory)
    }

    /// Starts counting the loader's events (before any load starts, so none is missed).
    func start() {
        let token = loader.subscribe { [weak self] event in self?.loads.record(event) }
        subscription.withLock { $0 = token }
    }

    /// Stops counting the loader's events.
    func stop() {
        subscription.withLock { $0 }?.cancel()
    }

    /// The observer to give the HTTP server that serves `router`'s routes on `loops` event
    /// loops; its request metrics are rendered from then on.
    func makeHTTPObserver(for router: HTTPRouter, loops: Int) -> HTTPMetrics {
        let observer = HTTPMetrics(patterns: router.patterns.map(\.pattern), loops: loops)
        http.withLock { $0 = observer }
        return observer
    }

    /// The Prometheus text exposition (format 0.0.4) of every metric, as of now.
    func render() -> [UInt8] {
        loads.refreshModelStates(from: loader.snapshot, memoryBytes: modelMemory)
        webSocket.refresh()
        var text: [UInt8] = []
        text.reserveCapacity(32 * 1024)
        factory.emit(into: &text)
        http.withLock { $0 }?.emit(into: &text)
        return text
    }
}
