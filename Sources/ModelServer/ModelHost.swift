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
/// are logged with the reason and left out. `SIGHUP` re-scans and applies the difference
/// (`ModelHost+Reload.swift`).
public final class ModelHost: Sendable {
    /// The loader; its snapshot answers probes.
    public let loader: ModelLoader
    let runtimes: [String: any ModelRuntimeFactory]
    let logger: Logger
    private let subscription: Mutex<LoadSubscription?> = Mutex(nil)
    /// The configuration in force (a reload replaces it).
    let current: Mutex<Configuration>
    /// The models of the last scan, with their files' identities.
    let registered = Mutex<[RepositoryModel]>([])
    /// Read rate cap and memory budget of loads started from now on.
    let jobLimits: JobLimits
    /// The loads' reservations of their peak memory (step 1 reserves, the job's release
    /// returns it).
    public let memoryLedger = MemoryLedger()
    /// Bytes of inference scratch in flight, counted against the memory budget (the
    /// embeddings service sets it once it exists).
    private let inferenceScratch = BytesSource()

    /// The configuration in force.
    var configuration: Configuration { current.withLock { $0 } }

    /// - Parameter runtimes: the runtimes by name (`bert-embedding`).
    public init(configuration: Configuration, runtimes: [any ModelRuntimeFactory], logger: Logger) {
        current = Mutex(configuration)
        self.logger = logger
        let runtimesByName = Dictionary(runtimes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.runtimes = runtimesByName
        let stateDirectory = StateDirectory.prepare(configuration.stateDir, logger: logger)
        let stateWriter = StateDirectory.writer(logger: logger)
        let digestCache = DigestCache(directory: stateDirectory, writer: stateWriter)
        let history = ETAHistory(stateDirectory: stateDirectory, writer: stateWriter)
        StateDirectory.logIssues([history.loadIssue, digestCache.loadIssue], logger: logger)
        let budget = MemoryBudget.resolve(configuredBytes: configuration.memoryBudgetBytes)
        let loaderReference = LoaderReference()
        let jobLimits = JobLimits(maxReadBytesPerSecond: configuration.maxReadBytesPerSecond, memoryBudgetBytes: budget.bytes)
        self.jobLimits = jobLimits
        let ledger = memoryLedger
        let scratch = inferenceScratch
        let hubSettings = Self.hubSettings(configuration, logger: logger)
        let hubStallSeconds = Int(configuration.loadStallTimeout.components.seconds)
        loader = ModelLoader(settings: Self.loaderSettings(configuration), makeJob: { descriptor in
            let limits = jobLimits.current
            let jobSettings = LoadJobSettings(
                maxReadBytesPerSecond: limits.maxReadBytesPerSecond,
                memoryBudgetBytes: limits.memoryBudgetBytes,
                residentBytesInUse: { loaderReference.residentBytes() + scratch.bytes() },
                ledger: ledger, hub: hubSettings, hubStallSeconds: max(1, hubStallSeconds / 2))
            return ModelLoadJob(descriptor: descriptor, runtimes: runtimesByName, digestCache: digestCache, settings: jobSettings)
        }, history: history)
        loaderReference.set(loader)
        logger.info("memory budget", metadata: [LogKey.bytes: "\(budget.bytes)", LogKey.source: "\(budget.source)"])
        subscription.withLock { $0 = loader.subscribe(LoadEventLog(logger: logger).log) }
    }

    /// Counts `bytes()` (inference scratch in flight) against the memory budget of later loads.
    func countInferenceScratch(_ bytes: @escaping @Sendable () -> Int) {
        inferenceScratch.replace(with: bytes)
    }

    /// Bytes model `status.id` holds now: its resident bytes when ready, its load's
    /// reservation while queued or loading, else 0 (`modeld_model_memory_bytes`).
    func memoryBytes(of status: ModelStatus) -> Int {
        switch status.state {
        case .ready, .unloading: loader.loadedModel(status.id)?.residentBytes ?? 0
        case .queued, .loading: memoryLedger.reservedBytes(for: status.id)
        case .unloaded, .failed, .cancelled: 0
        }
    }

    static func loaderSettings(_ configuration: Configuration) -> LoaderSettings {
        LoaderSettings(maxConcurrentLoads: configuration.maxConcurrentLoads,
                       loadStallTimeout: configuration.loadStallTimeout,
                       loadRetries: configuration.loadRetries)
    }

    /// Scans the repository and registers its models (they are `unloaded` until loads
    /// start). Done before the listeners open, so no probe ever sees a server with no
    /// models yet and calls it ready; it reads only manifests and directory entries.
    public func registerModels() async {
        let path = configuration.modelRepository
        let models: [RepositoryModel]
        do throws(ModelLoadError) {
            models = try scanRepository(path, hubModels: configuration.hubModels)
        } catch {
            logger.error("model repository unusable", metadata: [
                LogKey.path: "\(path)", LogKey.error: "\(error.code)", LogKey.reason: "\(error.message)",
            ])
            return
        }
        await loader.setModels(models.map(\.descriptor))
        registered.withLock { $0 = models }
        logger.info("model repository", metadata: [LogKey.path: "\(path)", LogKey.models: "\(models.count)"])
    }

    /// Scans `path`, logging each folder it had to skip, and notes each model's files; then
    /// adds the `--model ID=hf://...` models whose id no folder took.
    func scanRepository(_ path: String, hubModels: [HubModelFlag]) throws(ModelLoadError) -> [RepositoryModel] {
        let scan = try ModelRepository.scan(directory: path, runtimes: runtimes)
        for problem in scan.problems {
            logger.warning("model folder skipped", metadata: [
                LogKey.folder: "\(problem.folder)", LogKey.error: "\(problem.error.code)", LogKey.reason: "\(problem.error.message)",
            ])
        }
        var models = scan.models.map(RepositoryModel.scanned)
        for flag in hubModels {
            guard !models.contains(where: { $0.id == flag.id }) else {
                logger.warning("hub model skipped", metadata: [
                    LogKey.model: "\(flag.id)", LogKey.reason: "a repository folder has the same id",
                ])
                continue
            }
            models.append(RepositoryModel(descriptor: flag.descriptor, files: [:]))
        }
        return models
    }

    /// Starts the start-up loads of the registered models.
    public func startLoads() async {
        let configuration = configuration
        for model in registered.withLock({ $0 }) where Self.shouldLoadAtStartup(model.descriptor, configuration) {
            _ = await loader.load(model.id)
        }
    }

    /// `registerModels()` then `startLoads()`.
    public func start() async {
        await registerModels()
        await startLoads()
    }

    /// Whether `configuration`'s `load-at-startup` covers `descriptor`.
    static func shouldLoadAtStartup(_ descriptor: ModelDescriptor, _ configuration: Configuration) -> Bool {
        switch configuration.loadAtStartup {
        case .all: descriptor.manifest.load == .startup
        case .none: false
        case .only(let ids): ids.contains(descriptor.id)
        }
    }
}

/// The read rate cap and memory budget of the next load jobs; a reload replaces them, and
/// loads already running keep the values they started with.
final class JobLimits: Sendable {
    struct Values: Sendable, Equatable {
        /// Bytes per second, 0 for no cap.
        var maxReadBytesPerSecond: Int
        /// The resolved budget in bytes.
        var memoryBudgetBytes: Int
    }

    private let values: Mutex<Values>

    init(maxReadBytesPerSecond: Int, memoryBudgetBytes: Int) {
        values = Mutex(Values(maxReadBytesPerSecond: maxReadBytesPerSecond, memoryBudgetBytes: memoryBudgetBytes))
    }

    var current: Values { values.withLock { $0 } }

    func replace(with new: Values) {
        values.withLock { $0 = new }
    }
}

/// A number of bytes read from whoever provides it, replaceable after construction.
final class BytesSource: Sendable {
    private let provider = Mutex<@Sendable () -> Int>({ 0 })

    func replace(with bytes: @escaping @Sendable () -> Int) {
        provider.withLock { $0 = bytes }
    }

    func bytes() -> Int {
        provider.withLock { $0 }()
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
