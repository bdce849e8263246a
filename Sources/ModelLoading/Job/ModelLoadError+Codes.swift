import ModelFormats
import ModelRuntime

/// The codes this module's load steps produce, in one table: every `ModelLoadError` a step
/// throws is built here, so the set of codes a client can see is readable in one file.
///
/// Errors from the layers below keep their own stable codes: a `SafetensorsError` keeps
/// its `code` (`header_past_end`, `unknown_dtype`, `tensors_overlap`, ...) and a
/// `ModelRuntimeError` its `code` (`shape_mismatch`, `missing_tensor`, ...).
extension ModelLoadError {
    /// The model repository folder does not exist or is not a folder.
    static func repositoryNotFound(_ path: String) -> ModelLoadError {
        ModelLoadError(code: "repository_not_found", message: "The model repository '\(path)' does not exist or is not a folder.")
    }

    /// A repository sub-folder's name is not a valid model id.
    static func invalidModelID(_ name: String) -> ModelLoadError {
        ModelLoadError(code: "invalid_model_id",
                       message: "'\(name)' is not a valid model id: use 1 to 128 of A-Z a-z 0-9 . _ -, starting with a letter or digit.")
    }

    /// `model.yaml` names a key the manifest does not have.
    static func manifestUnknownKey(_ key: String) -> ModelLoadError {
        ModelLoadError(code: "manifest_invalid",
                       message: "model.yaml: unknown key '\(key)' (known: runtime, required, load, files).")
    }

    /// `model.yaml` gives `key` a value it cannot take.
    static func manifestInvalidValue(key: String, value: String, expected: String) -> ModelLoadError {
        ModelLoadError(code: "manifest_invalid", message: "model.yaml: '\(key)' is '\(value)', expected \(expected).")
    }

    /// `model.yaml` is not YAML, or not a mapping, or lacks a required key.
    static func manifestMalformed(_ reason: String) -> ModelLoadError {
        ModelLoadError(code: "manifest_invalid", message: "model.yaml: \(reason).")
    }

    /// A folder has no `model.yaml` and no runtime recognises its layout.
    static func notRecognized(_ directory: String) -> ModelLoadError {
        ModelLoadError(code: "model_not_recognized",
                       message: "'\(directory)' has no model.yaml and no runtime recognises its files.")
    }

    /// The manifest names a runtime this server does not have.
    static func unknownRuntime(_ name: String, known: [String]) -> ModelLoadError {
        ModelLoadError(code: "unknown_runtime",
                       message: "Runtime '\(name)' is not available (available: \(known.sorted().joined(separator: ", "))).")
    }

    /// A file (or the model folder) does not exist.
    static func fileNotFound(_ path: String) -> ModelLoadError {
        ModelLoadError(code: "file_not_found", message: "'\(path)' does not exist.")
    }

    /// A file exists but this process may not read it.
    static func permissionDenied(_ path: String) -> ModelLoadError {
        ModelLoadError(code: "permission_denied", message: "'\(path)' cannot be read: permission denied.")
    }

    /// A file is shorter than its header or its earlier size said.
    static func fileTruncated(_ path: String, expectedBytes: Int, actualBytes: Int) -> ModelLoadError {
        ModelLoadError(code: "file_truncated",
                       message: "'\(path)' is truncated: expected \(expectedBytes) bytes, found \(actualBytes).")
    }

    /// A file grew since its header was read: it is not the file that was validated.
    static func fileChanged(_ path: String, expectedBytes: Int, actualBytes: Int) -> ModelLoadError {
        ModelLoadError(code: "file_changed",
                       message: "'\(path)' changed while loading: expected \(expectedBytes) bytes, found \(actualBytes).")
    }

    /// The path no longer names the file that was read, or the file was written to while
    /// it was read: the bytes in memory are not (all) those of the file now in place.
    static func fileChangedWhileReading(_ path: String, now: String) -> ModelLoadError {
        ModelLoadError(code: "file_changed",
                       message: "'\(path)' was \(now) while its weights were read; the bytes read are not the file's, load again once it is in place.")
    }

    /// A system call failed; `operation` names it.
    static func ioError(_ path: String, operation: String, errno code: Int32) -> ModelLoadError {
        ModelLoadError(code: "io_error", message: "'\(path)': \(operation) failed (errno \(code)).")
    }

    /// The model would not fit in what is left of the memory budget.
    static func insufficientMemory(neededBytes: Int, budgetBytes: Int, inUseBytes: Int) -> ModelLoadError {
        ModelLoadError(code: "insufficient_memory",
                       message: "The model needs about \(neededBytes) bytes but only \(max(0, budgetBytes - inUseBytes)) of the \(budgetBytes)-byte memory budget are free (\(inUseBytes) in use).")
    }

    /// The weights' SHA-256 is not the one the manifest gives.
    static func digestMismatch(file: String, expected: String, actual: String) -> ModelLoadError {
        ModelLoadError(code: "digest_mismatch", message: "'\(file)' has SHA-256 \(actual), the manifest expects \(expected).")
    }

    /// A tensor's byte range lies outside the bytes step 5 read.
    static func tensorOutOfRange(_ tensor: String, end: Int, readBytes: Int) -> ModelLoadError {
        ModelLoadError(code: "offsets_out_of_range",
                       message: "Tensor '\(tensor)' ends at byte \(end), past the \(readBytes) bytes read.")
    }

    /// A safetensors problem in `file`, keeping the format layer's code and message.
    init(_ error: SafetensorsError, file: String) {
        self.init(code: error.code, message: "'\(file)': \(error.message).")
    }

    /// A runtime problem, keeping the runtime's code and message.
    init(_ error: ModelRuntimeError) {
        self.init(code: error.code, message: error.message)
    }
}
