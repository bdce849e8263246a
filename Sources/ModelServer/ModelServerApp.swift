public import Logging
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// The application: builds the routes, starts the HTTP server on the configured
/// listeners, and runs until a signal asks it to stop.
///
/// Start-up order: bind every listener (a bind failure aborts before anything runs), start
/// the loops, log `listening address=HOST:PORT` for each. Shutdown on `SIGTERM`/`SIGINT`:
/// drain (see `Server.shutdown`) within `shutdownTimeout`, then return so the process
/// exits 0.
public enum ModelServerApp {
    /// Runs the daemon until `SIGTERM` or `SIGINT`.
    public static func run(configuration: Configuration, logger: Logger) async throws {
        let watcher = SignalWatcher([SIGTERM, SIGINT])
        var router = HTTPRouter()
        ProbeRoutes.register(in: &router)
        let server = Server(router: router, limits: configuration.http, eventLoops: configuration.eventLoops)
        let addresses = try server.start(listen: configuration.listen.map { ($0.host, $0.port) })
        for address in addresses {
            logger.info("listening", metadata: [LogKey.address: "\(address.description)"])
        }
        for await signal in watcher.signals {
            logger.info("shutting down", metadata: [LogKey.signal: "\(signalName(signal))",
                                                   "grace_seconds": "\(Double(configuration.shutdownTimeout.components.seconds) + Double(configuration.shutdownTimeout.components.attoseconds) / 1e18)"])
            break
        }
        server.shutdown(gracePeriod: configuration.shutdownTimeout)
        logger.info("stopped")
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
