public import Logging
import HTTPServer
import WebSocket
#if canImport(Glibc)
import Glibc
#endif

/// The application: builds the routes, starts the HTTP server on the configured
/// listeners, starts the model loads, and runs until a signal asks it to stop.
///
/// Start-up order: scan the repository, bind every listener (a bind failure aborts before
/// anything runs), start
/// the loops, log `listening address=HOST:PORT` for each, then start the start-up loads in
/// the background; probes answer from the first millisecond (`/readyz` with `425` until
/// required models are ready). The repository is scanned just before the listeners open
/// (manifests and directory entries only), so no probe sees a server without its models. Shutdown on
/// `SIGTERM`/`SIGINT`: drain the HTTP server within `shutdownTimeout` (see
/// `Server.shutdown`), cancel running loads, then return so the process exits 0.
public enum ModelServerApp {
    /// Runs the daemon until `SIGTERM` or `SIGINT`.
    /// - Parameter metricsFactory: where the server's metrics go (`GET /metrics` renders it).
    public static func run(configuration: Configuration, logger: Logger,
                           metricsFactory: ServerMetricsFactory = ServerMetricsFactory()) async throws {
        let watcher = SignalWatcher([SIGTERM, SIGINT])
        let authorization = try AdminAuthorization.load(fromFile: configuration.adminTokenFile)
        let host = ModelHost(configuration: configuration, runtimes: RuntimeCatalog.all(), logger: logger)
        let rooms = LoadEventRooms(loader: host.loader, hub: RoomHub())
        rooms.start()
        let metrics = ServerMetrics(factory: metricsFactory, loader: host.loader, webSocketCounters: rooms.hub.counters)
        metrics.start()
        let router = makeRouter(host: host, configuration: configuration, authorization: authorization, rooms: rooms,
                                metrics: metrics)
        await host.registerModels()
        let server = Server(router: router, limits: configuration.http, eventLoops: configuration.eventLoops,
                            observer: metrics.makeHTTPObserver(for: router, loops: configuration.eventLoops))
        let addresses = try server.start(listen: configuration.listen.map { ($0.host, $0.port) })
        rooms.hub.attach(loops: server.loopHandles)
        for address in addresses {
            logger.info("listening", metadata: [LogKey.address: "\(address.description)"])
        }
        await host.startLoads()
        for await signal in watcher.signals {
            logger.info("shutting down", metadata: [LogKey.signal: "\(signalName(signal))",
                                                   LogKey.graceSeconds: "\(seconds(configuration.shutdownTimeout))"])
            break
        }
        // Joining the loop threads blocks this task's thread only for the grace period.
        server.shutdown(gracePeriod: configuration.shutdownTimeout)
        await host.shutdown()
        logger.info("stopped")
    }

    /// Every route of the daemon.
    static func makeRouter(host: ModelHost, configuration: Configuration, authorization: AdminAuthorization,
                           rooms: LoadEventRooms, metrics: ServerMetrics? = nil) -> HTTPRouter {
        let readiness = Readiness(notReadyStatusCode: configuration.notReadyStatus)
        var router = HTTPRouter()
        ProbeRoutes.register(in: &router)
        ModelRoutes(host: host, readiness: readiness, authorization: authorization).register(in: &router)
        TritonRoutes(host: host, readiness: readiness, authorization: authorization).register(in: &router)
        let embeddings = EmbeddingService(loader: host.loader, readiness: readiness, configuration: configuration)
        EmbeddingRoutes(service: embeddings).register(in: &router)
        InferRoutes(service: embeddings).register(in: &router)
        RoomRoutes(rooms: rooms, configuration: configuration, authorization: authorization).register(in: &router)
        if let metrics { MetricsRoutes.register(in: &router, metrics: metrics) }
        return router
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func signalName(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}
