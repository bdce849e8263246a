/// What a scan of the model repository found: the models it can offer, and the folders it
/// had to skip with the reason for each, so the caller can log them one by one.
public struct ModelRepositoryScan: Sendable {
    /// Every valid model, sorted by id.
    public var models: [ModelDescriptor]
    /// Folders that are not usable models (bad id, bad manifest, unrecognised layout),
    /// sorted by folder name.
    public var problems: [(folder: String, error: ModelLoadError)]

    public init(models: [ModelDescriptor], problems: [(folder: String, error: ModelLoadError)]) {
        self.models = models
        self.problems = problems
    }

    /// The model called `id`, if the scan found it.
    public func model(id: String) -> ModelDescriptor? {
        models.first { $0.id == id }
    }
}
