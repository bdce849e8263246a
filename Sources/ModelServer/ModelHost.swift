public import Logging
public import ModelLoading
public import ModelRuntime
import Synchronization

/// Everything the server knows about models: the repository, the runtimes, the digest
/// cache, and the `ModelLoader` that loads them. Routes read its loader's snapshot for
/// probes and await its loader for commands.
///
/// Start-up policy: the repository is scanned once; a model loads at start-up when its
/// manifest says `load: startup` and `--load-at-startup` selects it (`all`, `none`, or a
/// list of ids, which also loads listed `on_demand` models). Folders that cannot be used
/// are logged with the reason and left out.
public final class ModelHost: Sendable {
    /// The loader; its snapshot answers probes.
    public let loader: ModelLoader
    let configuration: Configuration
    let runtimes: [String: any ModelRuntimeFactory]
    let logger: Logger
    private let subscription: Mutex<LoadSubscription?> = Mutex(nil)
    private let registered = Mutex<[ModelDescriptor]>([])

    /// - Parameter runtimes: the runtimes by name (`bert-embedding`).
    public init(configuration: Configuration, runtimes: [any ModelRuntimeFactory], logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let runtimesByName = Dictionary(runtimes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.runtimes = runtimesByName
        let stateDirectory = StateDirectory.prepare(configuration.stateDir, logger: logger)
        let digestCache = DigestCache(directory: stateDirectory)
        let budget = MemoryBudget.resolve(configuredBytes: configuration.memoryBudgetBytes)
        let loaderReference = LoaderReference()
        let jobSettings = LoadJobSettings(
            maxReadBytesPerSecond: configuration.maxReadBytesPerSecond,
            memoryBudgetBytes: budget.bytes,
            residentBytesInUse: { loaderReference.residentBytes() })
        let settings = LoaderSettings(maxConcurrentLoads: configuration.maxConcurrentLoads,
                                      loadStallTimeout: configuration.loadStallTimeout,
                                      loadRetries: configuration.loadRetries)
        loader = ModelLoader(settings: settings, makeJob: { descriptor in
            ModelLoadJob(descriptor: descriptor, runtimes: runtimesByName, digestCache: digestCache, settings: jobSettings)
        }, history: ETAHistory(stateDirectory: stateDirectory))
        loaderReference.set(loader)
        logger.info("memory budget", metadata: [LogKey.bytes: "\(budget.bytes)", LogKey.source: "\(budget.source)"])
        subscription.withLock { $0 = loader.subscribe(LoadEventLog(logger: logger).log) }
    }

    /// Scans the repository and registers its models (they are `unloaded` until loads
    /// start). Done before the listeners open, so no probe ever sees a server with no
    /// models yet and calls it ready; it reads only manifests and directory entries.
    public func registerModels() async {
        let scan: ModelRepositoryScan
        do {
            scan = try ModelRepository.scan(directory: configuration.modelRepository, runtimes: runtimes)
        } catch {
            logger.error("model repository unusable", metadata: [
                LogKey.path: "\(configuration.modelRepository)", LogKey.error: "\(error.code)", LogKey.reason: "\(error.message)",
            ])
            return
        }
        for problem in scan.problems {
            logger.warning("model folder skipped", metadata: [
                LogKey.folder: "\(problem.folder)", LogKey.error: "\(problem.error.code)", LogKey.reason: "\(problem.error.message)",
            ])
        }
        await loader.setModels(scan.models)
        registered.withLock { $0 = scan.models }
        logger.info("model repository", metadata: [LogKey.path: "\(configuration.modelRepository)", LogKey.models: "\(scan.models.count)"])
    }

    /// Starts the start-up loads of the registered models.
    public func startLoads() async {
        for descriptor in registered.withLock({ $0 }) where shouldLoadAtStartup(descriptor) {
            _ = await loader.load(descriptor.id)
        }
    }

    /// `registerModels()` then `startLoads()`.
    public func start() async {
        await registerModels()
        await startLoads()
    }

    private func shouldLoadAtStartup(_ descriptor: ModelDescriptor) -> Bool {
        switch configuration.loadAtStartup {
        case .all: descriptor.manifest.load == .startup
        case .none: false
        case .only(let ids): ids.contains(descriptor.id)
        }
    }
}

/// Lets the job settings ask how much memory loaded models hold, without a reference
/// cycle at construction time (the loader does not exist yet when its jobs' settings are made).
final class LoaderReference: Sendable {
    private let loader = Mutex<ModelLoader?>(nil)

    func set(_ value: ModelLoader) {
        loader.withLock { $0 = value }
    }

    /// Bytes held by every ready model.
    func residentBytes() -> Int {
        guard let loader = loader.withLock({ $0 }) else { return 0 }
        return loader.snapshot.models.reduce(0) { total, status in
            total + (status.state == .ready ? loader.loadedModel(status.id)?.residentBytes ?? 0 : 0)
        }
    }
}

extension ModelHost {
    /// Cancels every queued or running load (shutdown); their jobs release what they hold.
    public func shutdown() async {
        for status in loader.snapshot.models where status.state.isLoadPending {
            _ = await loader.cancel(status.id)
        }
    }
}
