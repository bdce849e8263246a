import ModelFormats
public import ModelRuntime

/// One load of one model from its folder: the real work of each row of DESIGN §1.2.
///
/// The loader calls `run(_:progress:)` for steps 1 to 9 in order on one dedicated thread;
/// `CheckModel` runs steps 1 to 6 the same way offline. Each step records what it found in
/// `facts` (for `check-model` and logs). Where each fault of DESIGN §1.8 is caught:
///
/// | step | finds |
/// |---|---|
/// | 1 initialize | missing or unreadable folder or manifest-named file, unknown runtime, `insufficient_memory` |
/// | 2 loadTokenizer | the runtime's config / tokenizer errors |
/// | 4 prepareStrategies | missing or unreadable weights, empty file, header past the end, header not JSON, unknown dtype, out-of-range or overlapping offsets, truncated data, shape mismatch |
/// | 5 loadWeights | a file truncated or changed since step 4, `digest_mismatch` |
/// | 6 loadComplete | a tensor outside the bytes read |
///
/// Memory: step 1 reserves the load's estimated peak (`PeakMemoryEstimate`) in the server's
/// `MemoryLedger`; the raw file buffer lives from step 5 until the runtime has built its own
/// tensors at step 7; `release()` frees it, the runtime session and the reservation at any
/// point (the loader releases every job, whatever its outcome).
public final class ModelLoadJob: LoadJob {
    /// Memory margin on top of the estimated peak at step 1, in bytes: 64 MiB, for the
    /// tokenizer, the runtime's work buffers and the warm-up's activations.
    public static let memoryMarginBytes = 64 << 20

    /// The model being loaded.
    public let descriptor: ModelDescriptor
    let runtimes: [String: any ModelRuntimeFactory]
    let digestCache: DigestCache
    let settings: LoadJobSettings

    /// What each step found, in the order found (e.g. step 4: `tensors=199`).
    public internal(set) var facts: [LoadStep: [(key: String, value: String)]] = [:]

    var session: (any ModelLoadSession)?
    var weightsPath: String?
    var expectedDigest: String?
    /// The weights' identity when step 3 found a cache hit; step 5 then skips hashing.
    var cachedIdentity: FileIdentity?
    /// For a `source: hf://...` model, the hub cache's snapshot folder the files are read
    /// from (set at step 2), and the SHA-256 the hub gives for the weights (step 3).
    var hubSnapshotFolder: String?
    var hubWeightsDigest: String?
    /// Whether a hub model's weights were missing from the cache after step 2.
    var hubWeightsPending = false
    /// For a model with URL weights, the view folder linking its files (set at step 3).
    var urlViewFolder: String?
    var header: SafetensorsHeader?
    var reader: WeightReader?
    var loadedModel: (any LoadedModel)?
    /// Step 1's reservation of the load's peak memory, returned by `release()`.
    var memoryReservation: MemoryLedger.Reservation?

    public init(
        descriptor: ModelDescriptor, runtimes: [String: any ModelRuntimeFactory],
        digestCache: DigestCache, settings: LoadJobSettings
    ) {
        self.descriptor = descriptor
        self.runtimes = runtimes
        self.digestCache = digestCache
        self.settings = settings
    }

    deinit {
        reader?.release()
        if let memoryReservation { settings.ledger.release(memoryReservation) }
    }

    public func run(_ step: LoadStep, progress: LoadProgressSink) throws(ModelLoadError) {
        switch step {
        case .initialize: try initialize()
        case .loadTokenizer:
            try fetchFromHub(step: step, progress: progress)
            // A model whose weights are still to download reads its files at step 3.
            if !hubWeightsPending && !hasURLFiles { try loadTokenizer() }
        case .checkCache:
            try fetchFromHub(step: step, progress: progress)
            try fetchFromURLs(progress: progress)
            if session == nil { try loadTokenizer() }
            try checkCache()
        case .prepareStrategies: try prepareStrategies()
        case .loadWeights: try loadWeights(progress: progress)
        case .loadComplete: try loadComplete()
        case .moveToDevice: try moveToDevice(isCancelled: progress.isCancelled, reportWork: progress.reportWork)
        case .applyOptimizations: try applyOptimizations(isCancelled: progress.isCancelled, reportWork: progress.reportWork)
        case .finalize: try finalize()
        }
    }

    public func takeLoadedModel() -> (any LoadedModel)? {
        defer { loadedModel = nil }
        return loadedModel
    }

    public func release() {
        reader?.release()
        reader = nil
        session = nil
        header = nil
        loadedModel = nil
        if let memoryReservation { settings.ledger.release(memoryReservation) }
        memoryReservation = nil
    }

    /// Whether the raw weights buffer is held (between steps 5 and 7).
    public var holdsWeightsBuffer: Bool { reader?.holdsBuffer ?? false }

    /// Whether the runtime session is held (from step 2 until step 9 or `release()`).
    public var holdsSession: Bool { session != nil }

    /// Appends a fact for `step`.
    func note(_ step: LoadStep, _ key: String, _ value: String) {
        facts[step, default: []].append((key: key, value: value))
    }

    /// State an earlier step set; the loader runs steps in order, so a `nil` is a bug there.
    func earlier<Value>(_ value: Value?, _ what: String) -> Value {
        guard let value else { preconditionFailure("ModelLoadJob: \(what) missing: steps must run in order") }
        return value
    }
}

@available(*, unavailable)
extension ModelLoadJob: Sendable {}
