/// The nine steps of every model load: the single source of truth of DESIGN §1.2.
///
/// The raw value is the step number users see (`"step":5`). Step numbers, messages, phases
/// and the total are derived from this enum only; no other file holds a step number or a
/// step message literal, so a log line, a progress event and a probe body cannot disagree.
/// The order of the cases is the order in which the loader runs them.
public enum LoadStep: Int, CaseIterable, Sendable {
    /// Validate the manifest, resolve paths, check the memory budget, take a load slot.
    case initialize = 1
    /// Read config and tokenizer / vocabulary files.
    case loadTokenizer
    /// Look up the verified-digest cache so unchanged weights are not hashed twice.
    case checkCache
    /// Parse and validate the weights header; choose mmap or streamed reads.
    case prepareStrategies
    /// Read the weights with byte-level sub-progress and verify their SHA-256.
    case loadWeights
    /// Check every expected tensor is present; record counts and sizes.
    case loadComplete
    /// Materialize tensors in the compute layout of the target device.
    case moveToDevice
    /// Fuse and pre-pack matrices for the compute kernels.
    case applyOptimizations
    /// Run a warm-up inference, then mark the model ready.
    case finalize

    /// How many steps a load has (`"total":9`).
    public static var total: Int { allCases.count }

    /// The step's 1-based position, as shown to users (`"step":5`).
    public var number: Int { rawValue }

    /// The human-readable line shown in progress bars and logs, verbatim from DESIGN §1.2.
    public var message: String {
        switch self {
        case .initialize: "Initializing model loader..."
        case .loadTokenizer: "Loading feature extractor..."
        case .checkCache: "Checking model cache..."
        case .prepareStrategies: "Preparing loading strategies..."
        case .loadWeights: "Loading model weights..."
        case .loadComplete: "Model loaded successfully"
        case .moveToDevice: "Moving model to device..."
        case .applyOptimizations: "Applying optimizations..."
        case .finalize: "Finalizing model setup..."
        }
    }

    /// The coarse phase this step belongs to.
    public var phase: LoadPhase {
        switch self {
        case .initialize, .loadTokenizer: .initialization
        case .checkCache, .prepareStrategies, .loadWeights: .loadingModel
        case .loadComplete, .moveToDevice: .deviceSetup
        case .applyOptimizations, .finalize: .optimization
        }
    }
}
