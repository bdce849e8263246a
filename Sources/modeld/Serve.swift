import ArgumentParser
import FoundationEssentials
import Glibc
import Logging
import ModelServer

/// `modeld serve`: builds the configuration, sets up logging once, and runs the server.
///
/// Settings are read by `Configuration.load`, not by ArgumentParser, so that flags, the YAML
/// file and the environment share one table (`ConfigurationKey.all`) and one validator. Exit
/// codes follow sysexits(3): 64 for a malformed command line, 78 for a bad setting, 1 when the
/// server fails after starting, 0 after a clean shutdown.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve models (the default command).",
        usage: "modeld serve [--config FILE] [--listen HOST:PORT]... [--SETTING VALUE]...",
        discussion: """
            Each setting comes from, in rising precedence: its default, the YAML file, its \
            MODELD_* environment variable, its flag. Flags take --flag VALUE or --flag=VALUE.

            SETTINGS:
            \(ConfigurationKey.helpText)
            """
    )

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var settings: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: ModelServer.Configuration
        do {
            configuration = try .load(arguments: settings, environment: environment)
        } catch {
            Self.writeToStandardError("modeld: \(error)\n")
            throw ExitCode(error.isUsageError ? 64 : 78)
        }

        let isJournal = KeyValueLogHandler.isStandardErrorJournal(environment: environment)
        let logLevel = LogLevelSwitch(configuration.logLevel)
        LoggingSystem.bootstrap { _ in
            KeyValueLogHandler(
                levelSwitch: logLevel,
                format: configuration.logFormat,
                prefixesSyslogPriority: isJournal
            )
        }
        let logger = Logger(label: "modeld")
        // Once per process, like logging: libraries' swift-metrics metrics join /metrics too.
        let metricsFactory = ServerMetricsFactory()
        metricsFactory.bootstrapMetricsSystem()
        // SIGHUP rebuilds the configuration from the very inputs it was first built from.
        let arguments = settings
        do {
            try await ModelServerApp.run(configuration: configuration, logger: logger, logLevel: logLevel,
                                         metricsFactory: metricsFactory) {
                () throws(ConfigurationError) in
                try ModelServer.Configuration.load(arguments: arguments, environment: environment)
            }
        } catch {
            logger.critical("server failed", metadata: [LogKey.error: "\(error)"])
            throw ExitCode.failure
        }
    }

    /// Before logging exists, errors go to stderr as plain text.
    private static func writeToStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
