/// Why the ETA history file could not be written.
public enum ETAHistoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Encoding, writing the temporary file or renaming it failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .writeFailed(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
