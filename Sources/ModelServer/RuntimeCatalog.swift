public import ModelRuntime

/// The runtimes this build of modeld can load models with.
public enum RuntimeCatalog {
    /// Every runtime, by the name a manifest's `runtime:` uses.
    public static func all() -> [any ModelRuntimeFactory] {
        [BertEmbeddingRuntime()]
    }
}
