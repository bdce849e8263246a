import Logging
import Synchronization

/// Applies a `SIGHUP`: builds the configuration again from the same inputs, re-scans the
/// model repository, and swaps the result in without dropping a connection.
///
/// Order, so that a rejected reload changes nothing:
/// 1. prepare: load the configuration, read the admin token file, scan the repository; any
///    failure is `reload rejected` (level error) and the old state stays whole;
/// 2. accepted hooks (`onAccepted`, e.g. re-reading TLS certificates), in registration
///    order; one that throws rejects the reload (hooks before it have already run);
/// 3. apply: the live holders (`LiveSettings`), the log level, the loader settings and the
///    repository difference (`ModelHost.applyReload`); keys that need a restart
///    (`ConfigurationKey.ReloadScope`) keep their running value and are logged as
///    `reload needs restart key=...` (level warning);
/// 4. log `reloaded changes=... models_added=N models_removed=N` (level info).
///
/// Callers run one reload at a time (`ModelServerApp.serveSignals` queues `SIGHUP`s): two
/// overlapping calls could apply their results in either order.
final class ConfigurationReloader: Sendable {
    /// Builds the configuration from the process's inputs again (`Configuration.load` with
    /// the original arguments and environment).
    typealias Load = @Sendable () throws(ConfigurationError) -> Configuration
    /// Runs after a new configuration is accepted, before it is applied; throwing rejects it.
    typealias Hook = @Sendable (_ old: Configuration, _ new: Configuration) async throws -> Void

    private let load: Load
    private let host: ModelHost
    private let live: LiveSettings
    private let logLevel: LogLevelSwitch?
    private let logger: Logger
    private let state: Mutex<(configuration: Configuration, hooks: [(name: String, run: Hook)])>

    /// - Parameters:
    ///   - configuration: the configuration the server started with.
    ///   - logLevel: the switch the log handlers follow, if they were made with one.
    init(configuration: Configuration, load: @escaping Load, host: ModelHost, live: LiveSettings,
         logLevel: LogLevelSwitch?, logger: Logger) {
        self.load = load
        self.host = host
        self.live = live
        self.logLevel = logLevel
        self.logger = logger
        state = Mutex((configuration, []))
    }

    /// The configuration in force: the last accepted one, with restart-only keys at the
    /// values the server started with.
    var configuration: Configuration {
        state.withLock { $0.configuration }
    }

    /// Registers a hook run on every accepted reload (the seam for TLS and others); `name`
    /// appears in the `reload rejected` line when it throws.
    func onAccepted(_ name: String, _ hook: @escaping Hook) {
        state.withLock { $0.hooks.append((name, hook)) }
    }

    /// Runs one reload and logs its outcome.
    @discardableResult
    func reload() async -> ReloadOutcome {
        let outcome = await attempt()
        switch outcome {
        case .rejected(let error):
            logger.error("reload rejected", metadata: [LogKey.error: "\(error)"])
        case .applied(let summary):
            for key in summary.needsRestart {
                logger.warning("reload needs restart", metadata: [LogKey.key: "\(key)"])
            }
            let changes = summary.appliedKeys.isEmpty ? "none" : summary.appliedKeys.joined(separator: ",")
            logger.info("reloaded", metadata: [LogKey.changes: "\(changes)",
                                               LogKey.modelsAdded: "\(summary.modelsAdded.count)",
                                               LogKey.modelsRemoved: "\(summary.modelsRemoved.count)"])
        }
        return outcome
    }

    private func attempt() async -> ReloadOutcome {
        let (old, hooks) = state.withLock { ($0.configuration, $0.hooks) }
        let loaded: Configuration
        let token: [UInt8]?
        let models: [RepositoryModel]
        do throws(ReloadError) {
            loaded = try loadConfiguration()
            token = try Self.readToken(loaded.adminTokenFile)
            models = try host.prepareRepository(for: loaded)
        } catch {
            return .rejected(error)
        }
        var accepted = loaded
        let changed = ConfigurationKey.changedKeys(from: old, to: loaded)
        let needsRestart = changed.filter { $0.reloadScope == .restart }
        for key in needsRestart { key.copyValue(&accepted, old) }
        for hook in hooks {
            do {
                try await hook.run(old, accepted)
            } catch {
                return .rejected(.hookFailed(hook: hook.name, reason: "\(error)"))
            }
        }

        var appliedKeys = changed.filter { $0.reloadScope == .live }.map(\.name)
        // The file's content is what matters: a rotated token under the same path counts.
        if token != live.authorization.token, !appliedKeys.contains("admin-token-file") {
            appliedKeys.append("admin-token-file")
        }
        live.apply(accepted, adminToken: token)
        logLevel?.set(accepted.logLevel)
        let diff = await host.applyReload(accepted, models: models)
        live.announceRemoved(diff.removed)
        state.withLock { $0.configuration = accepted }
        return .applied(ReloadSummary(
            appliedKeys: appliedKeys,
            needsRestart: needsRestart.map(\.name),
            modelsAdded: diff.added, modelsRemoved: diff.removed, modelsChanged: diff.changed))
    }

    private func loadConfiguration() throws(ReloadError) -> Configuration {
        do throws(ConfigurationError) {
            return try load()
        } catch {
            throw .configuration(error)
        }
    }

    private static func readToken(_ path: String?) throws(ReloadError) -> [UInt8]? {
        do throws(TextFile.Error) {
            return try AdminAuthorization.readToken(fromFile: path)
        } catch {
            throw .adminTokenFile(path: error.path, reason: error.reason)
        }
    }
}
