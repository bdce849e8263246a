import Foundation
import HTTPServer
import Logging
@testable import ModelServer
import ModelLoading
import WebSocket

/// A `ServerMetrics` over a model host on a fixture repository, with its own registry (no
/// global bootstrap), for the metrics suites.
final class MetricsFixture {
    let repository: FixtureRepository
    let host: ModelHost
    let hub = RoomHub()
    let metrics: ServerMetrics

    init(repository: FixtureRepository) {
        self.repository = repository
        var configuration = Configuration.defaults
        configuration.modelRepository = repository.root
        configuration.stateDir = repository.root + "-state"
        host = ModelHost(configuration: configuration, runtimes: [FixtureRuntime()],
                         logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        metrics = ServerMetrics(factory: ServerMetricsFactory(), loader: host.loader, webSocketCounters: hub.counters,
                                modelMemory: { [host] in host.memoryBytes(of: $0) })
        metrics.start()
    }

    deinit {
        metrics.stop()
        try? FileManager.default.removeItem(atPath: repository.root + "-state")
    }

    /// The rendered text, parsed strictly.
    func scrape() throws -> PrometheusText {
        try PrometheusText(parsing: String(decoding: metrics.render(), as: UTF8.self))
    }

    /// Starts the host's start-up loads and returns once `id` reached an outcome, as seen by
    /// a subscriber registered after the metrics (so the metrics have counted it already).
    func loadAndWait(_ id: String) async -> LoadEvent.Kind {
        let (events, continuation) = AsyncStream<LoadEvent>.makeStream()
        let subscription = host.loader.subscribe { continuation.yield($0) }
        defer { subscription.cancel() }
        await host.start()
        for await event in events where event.modelID == id && [.completed, .failed, .cancelled].contains(event.kind) {
            return event.kind
        }
        return .failed
    }

    /// The size on disk of a fixture model's weights file.
    func weightsFileSize(_ id: String) throws -> Double {
        let attributes = try FileManager.default.attributesOfItem(atPath: repository.root + "/" + id + "/model.safetensors")
        return Double((attributes[.size] as? Int) ?? -1)
    }
}

/// A load event for feeding `LoadMetrics` directly.
func loadEvent(_ kind: LoadEvent.Kind, _ id: String = "m", attempt: Int = 1, bytes: Int64 = 0,
               at seconds: Double = 0, timings: LoadTimings? = nil) -> LoadEvent {
    let state: ModelState = switch kind {
    case .started, .progress: .loading
    case .completed: .ready
    case .failed: .failed
    case .cancelled: .cancelled
    case .unloaded: .unloaded
    }
    return LoadEvent(kind: kind, modelID: id, state: state, attempt: attempt, step: nil, progress: 0,
                     bytesLoaded: bytes, bytesTotal: 1000, etaSeconds: nil, timings: timings,
                     timestamp: Date(timeIntervalSince1970: 1_000_000 + seconds))
}
