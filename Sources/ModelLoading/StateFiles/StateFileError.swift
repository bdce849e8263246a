import Glibc

/// Why a state file could not be written: the system call and its error.
public struct StateFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file that was to be written.
    public var path: String
    /// The failing call (`open`, `write`, `fsync`, `close`, `rename`, `fsync directory`).
    public var operation: String
    /// Its `errno`.
    public var code: Int32

    public var description: String {
        "cannot write \(path): \(operation) failed: \(String(cString: strerror(code)))"
    }
}
