public import Logging
import Foundation
import HTTPServer
import WebSocket
#if canImport(Glibc)
import Glibc
#endif

/// The application: builds the routes, starts the HTTP server on the configured
/// listeners, starts the model loads, and runs until a signal asks it to stop.
///
/// Start-up order: scan the repository, bind every listener, or adopt the sockets systemd
/// passed (a failure aborts before anything runs), start
/// the loops, log `listening address=HOST:PORT` for each, tell systemd `READY=1`
/// (`SystemdSession`), then start the start-up loads in
/// the background; probes answer from the first millisecond (`/readyz` with `425` until
/// required models are ready). The repository is scanned just before the listeners open
/// (manifests and directory entries only), so no probe sees a server without its models. Shutdown on
/// `SIGTERM`/`SIGINT`: drain the HTTP server within `shutdownTimeout` (see
/// `Server.shutdown`), cancel running loads, then return so the process exits 0. `SIGHUP`
/// reloads the configuration and the repository (`ConfigurationReloader`) and re-reads the
/// TLS certificate and key.
///
/// TLS: when `tls.certificate-file` and `tls.key-file` are set, the `TLSContext` is built
/// before any listener opens. A certificate or key that cannot be used ends start-up with
/// `server failed error="TLS key file ...: reason"` and exit code 1, the same path as an
/// unusable admin token file (only malformed settings exit 78).
public enum ModelServerApp {
    /// Runs the daemon until `SIGTERM` or `SIGINT`.
    /// - Parameters:
    ///   - logLevel: the switch the process's log handlers follow, so a reload can change
    ///     `log.level`; nil leaves the level as bootstrapped.
    ///   - metricsFactory: where the server's metrics go (`GET /metrics` renders it).
    ///   - reloadConfiguration: builds the configuration again on `SIGHUP` (from the same
    ///     arguments and environment); nil keeps `configuration`, so a reload then only
    ///     re-scans the repository and re-reads the admin token file.
    public static func run(
        configuration: Configuration, logger: Logger, logLevel: LogLevelSwitch? = nil,
        metricsFactory: ServerMetricsFactory = ServerMetricsFactory(),
        reloadConfiguration: (@Sendable () throws(ConfigurationError) -> Configuration)? = nil
    ) async throws {
        MemoryReclaimer.tuneAllocator()
        let watcher = try SignalWatcher([SIGTERM, SIGINT, SIGHUP])
        let environment = ProcessInfo.processInfo.environment
        let systemd = SystemdSession(environment: environment, logger: logger)
        let activatedSockets = try SystemdSocketActivation.take(environment: environment)
        let authorization = try AdminAuthorization.load(fromFile: configuration.adminTokenFile)
        let tls = try configuration.makeTLSContext()
        let host = ModelHost(configuration: configuration, runtimes: RuntimeCatalog.all(), logger: logger)
        let rooms = LoadEventRooms(loader: host.loader, hub: RoomHub())
        rooms.start()
        let metrics = ServerMetrics(factory: metricsFactory, loader: host.loader, webSocketCounters: rooms.hub.counters,
                                    modelMemory: { [host] in host.memoryBytes(of: $0) })
        metrics.start()
        let (router, live) = makeRoutes(host: host, configuration: configuration, authorization: authorization, rooms: rooms,
                                        metrics: metrics)
        let reclaimer = MemoryReclaimer()
        reclaimer.start(loader: host.loader)
        let reloader = ConfigurationReloader(configuration: configuration, load: reloadConfiguration ?? { configuration },
                                             host: host, live: live, logLevel: logLevel, logger: logger)
        reloader.onAccepted("tls") { _, new in try reloadTLS(tls, with: new, logger: logger) }
        await host.registerModels()
        // Queue the start-up loads before the listeners open, so no request ever sees a model
        // that is about to load as `unloaded` (it gets 425 and the load's progress instead).
        await host.startLoads()
        let server = Server(router: router, limits: configuration.http, eventLoops: configuration.eventLoops, tls: tls,
                            observer: metrics.makeHTTPObserver(for: router, loops: configuration.eventLoops),
                            onAcceptPaused: { error in
                                logger.warning("accept paused", metadata: [LogKey.error: "\(error)"])
                            })
        // Sockets passed by systemd replace the `listen` setting (socket activation).
        let listeners = activatedSockets.isEmpty
            ? configuration.listen.map { ListenerSource.bind(host: $0.host, port: $0.port) }
            : activatedSockets.map { ListenerSource.adopt(fd: $0.fd) }
        let addresses = try server.start(listeners: listeners)
        rooms.hub.attach(loops: server.loopHandles)
        for (index, address) in addresses.enumerated() {
            var metadata: Logger.Metadata = [LogKey.address: "\(address.description)"]
            if index < activatedSockets.count {
                metadata[LogKey.fd] = "\(activatedSockets[index].fd)"
                metadata[LogKey.name] = "\(activatedSockets[index].name)"
            }
            logger.info("listening", metadata: metadata)
        }
        systemd.listenersOpened(loader: host.loader, loops: server.loopHandles)
        let signal = await serveSignals(watcher.signals, reloader: reloader, notifier: systemd.notifier, logger: logger)
        systemd.shutdownStarted()
        let shutdownTimeout = reloader.configuration.shutdownTimeout
        logger.info("shutting down", metadata: [LogKey.signal: "\(signalName(signal))",
                                               LogKey.graceSeconds: "\(seconds(shutdownTimeout))"])
        // Joining the loop threads blocks this task's thread only for the grace period.
        server.shutdown(gracePeriod: shutdownTimeout)
        await host.shutdown()
        reclaimer.stop()
        watcher.stop()  // also keeps the watcher (its handlers) alive until here
        logger.info("stopped")
    }

    /// Every route of the daemon.
    static func makeRouter(host: ModelHost, configuration: Configuration, authorization: AdminAuthorization,
                           rooms: LoadEventRooms, metrics: ServerMetrics? = nil) -> HTTPRouter {
        makeRoutes(host: host, configuration: configuration, authorization: authorization, rooms: rooms,
                   metrics: metrics).router
    }

    /// Every route of the daemon, and the holders of the settings they read per request.
    static func makeRoutes(host: ModelHost, configuration: Configuration, authorization: AdminAuthorization,
                           rooms: LoadEventRooms, metrics: ServerMetrics? = nil) -> (router: HTTPRouter, live: LiveSettings) {
        let readiness = Readiness(notReadyStatusCode: configuration.notReadyStatus)
        var router = HTTPRouter()
        ProbeRoutes.register(in: &router)
        ModelRoutes(host: host, readiness: readiness, authorization: authorization).register(in: &router)
        TritonRoutes(host: host, readiness: readiness, authorization: authorization).register(in: &router)
        let embeddings = EmbeddingService(loader: host.loader, readiness: readiness, configuration: configuration)
        host.countInferenceScratch { embeddings.inferenceScratchBytes }
        EmbeddingRoutes(service: embeddings).register(in: &router)
        InferRoutes(service: embeddings).register(in: &router)
        let roomRoutes = RoomRoutes(rooms: rooms, configuration: configuration, authorization: authorization)
        roomRoutes.register(in: &router)
        SocketIORoutes.register(in: &router, rooms: rooms, configuration: configuration, authorization: authorization)
        DashboardRoutes.register(in: &router)
        if let metrics { MetricsRoutes.register(in: &router, metrics: metrics) }
        let live = LiveSettings(readiness: readiness, authorization: authorization, roomRoutes: roomRoutes,
                                embeddings: embeddings)
        return (router, live)
    }

    /// Re-reads the certificate and key on `SIGHUP` (a failure rejects the reload and keeps
    /// the old ones). Turning TLS on or off needs a restart: the listeners are already open.
    private static func reloadTLS(_ tls: TLSContext?, with new: Configuration, logger: Logger) throws {
        guard let tls, let certificate = new.tlsCertificateFile, let key = new.tlsKeyFile else {
            if (tls == nil) != (new.tlsCertificateFile == nil) {
                logger.warning("reload needs restart", metadata: [LogKey.key: "tls.certificate-file"])
            }
            return
        }
        try tls.reload(certificateFile: certificate, keyFile: key)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func signalName(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}
