import Logging
import ModelLoading
import Synchronization

/// `SIGHUP` for models: re-scan the repository and apply the difference, and put the new
/// loader settings in force.
///
/// Policy, per model id of the new scan against the last one (`ModelRepositoryDiff`):
/// - added: registered `unloaded`, and loading starts when `load-at-startup` covers it, as
///   at start-up;
/// - removed: a queued or running load is cancelled, a ready model unloaded, then the model
///   is forgotten; the reloader then sends `model_removed` to its rooms, their final event;
/// - unchanged: keeps its state (a ready model stays ready, a running load continues);
/// - changed on disk (manifest or files): a ready model keeps serving the version it loaded
///   (swapping it under running requests would mix versions) and the new files are used by
///   its next load, after an explicit unload and load; a running load continues; a failed
///   model that `load-at-startup` covers is loaded again, so fixing its files and sending
///   `SIGHUP` is enough. Each is logged as `model changed on disk` with the `action` taken.
extension ModelHost {
    /// What changing a model on disk led to, as logged (`action=`).
    enum ChangedModelAction: String {
        case keptLoaded = "kept_loaded"
        case nextLoad = "next_load"
        case reloading
    }

    /// Scans `configuration`'s repository without changing anything; a repository that
    /// cannot be listed rejects the reload while models are registered (a missing mount must
    /// not remove them all), and counts as empty while none are (as at start-up, which logs
    /// the unusable repository and serves on, so a later `SIGHUP` can still apply settings).
    func prepareRepository(for configuration: Configuration) throws(ReloadError) -> [RepositoryModel] {
        do throws(ModelLoadError) {
            return try scanRepository(configuration.modelRepository, hubModels: configuration.hubModels)
        } catch {
            if loader.snapshot.models.isEmpty { return [] }
            throw .repositoryUnusable(path: configuration.modelRepository, reason: error.message)
        }
    }

    /// Puts `configuration`'s load settings in force and `models` (from
    /// `prepareRepository`) in place of the registered models.
    func applyReload(_ configuration: Configuration, models: [RepositoryModel]) async -> ModelRepositoryDiff {
        let old = current.withLock { current in
            defer { current = configuration }
            return current
        }
        var limits = jobLimits.current
        limits.maxReadBytesPerSecond = configuration.maxReadBytesPerSecond
        // Resolved again only when the setting changed: a budget read from the available
        // memory now would no longer include what the loaded models hold, and they are
        // counted against it once more at every load.
        if configuration.memoryBudgetBytes != old.memoryBudgetBytes {
            let budget = MemoryBudget.resolve(configuredBytes: configuration.memoryBudgetBytes)
            limits.memoryBudgetBytes = budget.bytes
            logger.info("memory budget", metadata: [LogKey.bytes: "\(budget.bytes)", LogKey.source: "\(budget.source)"])
        }
        jobLimits.replace(with: limits)
        await loader.updateSettings(Self.loaderSettings(configuration))

        let previous = registered.withLock { $0 }
        let diff = ModelRepositoryDiff(old: previous, new: models)
        await loader.setModels(models.map(\.descriptor))
        registered.withLock { $0 = models }
        for id in diff.removed { logger.info("model removed", metadata: [LogKey.model: "\(id)"]) }
        for id in diff.added { logger.info("model added", metadata: [LogKey.model: "\(id)"]) }
        let byID = Dictionary(models.map { ($0.id, $0.descriptor) }, uniquingKeysWith: { _, last in last })
        for id in diff.changed {
            guard let descriptor = byID[id] else { continue }
            let action = changedModelAction(descriptor, configuration)
            logger.info("model changed on disk", metadata: [LogKey.model: "\(id)", LogKey.action: "\(action.rawValue)"])
            if action == .reloading { _ = await loader.load(id) }
        }
        for id in diff.added {
            guard let descriptor = byID[id], Self.shouldLoadAtStartup(descriptor, configuration) else { continue }
            _ = await loader.load(id)
        }
        return diff
    }

    private func changedModelAction(_ descriptor: ModelDescriptor, _ configuration: Configuration) -> ChangedModelAction {
        switch loader.snapshot.status(of: descriptor.id)?.state {
        case .ready?, .unloading?: .keptLoaded
        case .failed? where Self.shouldLoadAtStartup(descriptor, configuration): .reloading
        default: .nextLoad
        }
    }
}
