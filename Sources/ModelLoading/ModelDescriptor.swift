public import ModelHub

/// A model found in the repository: its id (the folder's name), where it lives and what its
/// manifest says.
public struct ModelDescriptor: Sendable, Equatable {
    /// The model's id: the name of its folder in the repository.
    public var id: String
    /// Absolute path of the model's folder.
    public var directory: String
    /// The manifest (`model.yaml`), or the defaults for a recognised folder without one.
    public var manifest: ModelManifest

    public init(id: String, directory: String, manifest: ModelManifest) {
        self.id = id
        self.directory = directory
        self.manifest = manifest
    }
}

/// The manifest of DESIGN §1.6 (`model.yaml`).
public struct ModelManifest: Sendable, Equatable {
    /// When the model loads: at start-up, or only when asked.
    public enum LoadPolicy: String, Sendable, Equatable {
        case startup
        case onDemand = "on_demand"
    }

    /// Which runtime loads and serves the model (`bert-embedding`).
    public var runtime: String
    /// Whether `/readyz` waits for this model. Default true.
    public var required: Bool
    /// Default `.startup`.
    public var load: LoadPolicy
    /// Expected SHA-256 digests (lower-case hex) by file name relative to the model folder,
    /// verified during step 5.
    public var sha256ByFile: [String: String]
    /// Files fetched from a URL at step 3 into the URL file cache (`files: {NAME: {url, sha256}}`),
    /// by file name: top-level `.safetensors` weights only, in a model without `source:`.
    public var urlByFile: [String: String]
    /// Where the model's files come from when the folder does not ship them:
    /// `source: hf://ORG/NAME[@REV]`, fetched into the hub cache by steps 2 and 3.
    public var source: HubReference?

    public init(runtime: String, required: Bool = true, load: LoadPolicy = .startup, sha256ByFile: [String: String] = [:],
                source: HubReference? = nil, urlByFile: [String: String] = [:]) {
        self.runtime = runtime
        self.required = required
        self.load = load
        self.sha256ByFile = sha256ByFile
        self.source = source
        self.urlByFile = urlByFile
    }
}
