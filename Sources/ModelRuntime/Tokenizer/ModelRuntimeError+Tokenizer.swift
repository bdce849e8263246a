extension ModelRuntimeError {
    /// The model folder has neither `tokenizer.json` nor `vocab.txt`.
    static func tokenizerMissing(directory: String) -> ModelRuntimeError {
        ModelRuntimeError(code: "tokenizer_missing",
                          message: "no tokenizer.json or vocab.txt in \(directory)")
    }

    /// A tokenizer file is unreadable, malformed, or describes something this runtime
    /// does not implement.
    static func tokenizerInvalid(file: String, _ reason: String) -> ModelRuntimeError {
        ModelRuntimeError(code: "tokenizer_invalid", message: "\(file): \(reason)")
    }
}
