/// The BERT runtime's failures, one constructor per stable code, so every code is spelled
/// once.
extension ModelRuntimeError {
    /// A configuration file is missing, unreadable or describes something we do not run.
    static func invalidConfig(_ message: String) -> ModelRuntimeError {
        ModelRuntimeError(code: "invalid_config", message: message)
    }

    /// The weights file lacks a tensor the architecture needs.
    static func missingTensor(_ name: String) -> ModelRuntimeError {
        ModelRuntimeError(code: "missing_tensor", message: "the weights have no tensor \(name)")
    }

    /// A tensor's element type is not F32, F16 or BF16.
    static func unsupportedDType(_ name: String, dtype: String) -> ModelRuntimeError {
        ModelRuntimeError(code: "unsupported_dtype",
                          message: "tensor \(name) has dtype \(dtype); expected F32, F16 or BF16")
    }

    /// A tensor's shape disagrees with config.json.
    static func shapeMismatch(_ name: String, expected: [Int], actual: [Int]) -> ModelRuntimeError {
        ModelRuntimeError(code: "shape_mismatch",
                          message: "tensor \(name) has shape \(actual); config.json implies \(expected)")
    }

    /// A tensor's bytes lie outside the weights handed to step 7.
    static func truncatedWeights(_ name: String) -> ModelRuntimeError {
        ModelRuntimeError(code: "truncated_weights", message: "tensor \(name) lies past the end of the weights")
    }

    /// The load was cancelled between two pieces of work.
    static var cancelled: ModelRuntimeError {
        ModelRuntimeError(code: "cancelled", message: "the load was cancelled")
    }

    /// A step ran out of order (a loader bug, not a model problem).
    static func stepOutOfOrder(_ message: String) -> ModelRuntimeError {
        ModelRuntimeError(code: "step_out_of_order", message: message)
    }

    /// The warm-up inference produced a non-finite or non-normalised vector.
    static func warmUpFailed(_ message: String) -> ModelRuntimeError {
        ModelRuntimeError(code: "warm_up_failed", message: message)
    }

    /// Texts arrived but no tokenizer is attached to the model.
    static var tokenizerUnavailable: ModelRuntimeError {
        ModelRuntimeError(code: "tokenizer_unavailable", message: "this model has no tokenizer loaded")
    }

    /// A token batch is inconsistent (ids out of the vocabulary, arrays of the wrong size).
    static func invalidInput(_ message: String) -> ModelRuntimeError {
        ModelRuntimeError(code: "invalid_input", message: message)
    }
}
