import Synchronization

/// Writes the state directory's files (ETA history, digest cache) so that neither a crash
/// nor a full disk leaves a torn one, and says once when writing stops working.
///
/// Policy:
/// - `write` is atomic and durable (`StateFileWriter+Atomic.swift`): a temporary file
///   beside the target, `fsync`, `rename(2)` over the target, `fsync` of the directory. A
///   reader, or a server restarted after `kill -9` or a power cut, sees the old file or the
///   new one, never part of one. On failure the temporary file is removed and the target
///   is left as it was.
/// - Failures are reported once per streak: the first failed write since start or since the
///   last success reports `.failing`; later failures report nothing until a write succeeds,
///   which reports `.recovered`. A full or read-only state directory costs one log line,
///   not one per load or per file.
/// - Thread-safe: writes come from load threads; `report` is called outside any lock.
public final class StateFileWriter: Sendable {
    /// A change in whether state files can be written.
    public enum Report: Sendable, Equatable {
        /// A write failed after writes had been working (or on the first write).
        case failing(path: String, reason: String)
        /// A write succeeded after failures.
        case recovered(path: String)
    }

    private let report: @Sendable (Report) -> Void
    private let isFailing = Mutex(false)

    /// - Parameter report: told of each change between working and failing writes.
    public init(report: @escaping @Sendable (Report) -> Void = { _ in }) {
        self.report = report
    }

    /// Replaces the file at `path` with `bytes`, atomically and durably.
    public func write(_ bytes: [UInt8], to path: String) throws(StateFileError) {
        do {
            try Self.writeAtomically(bytes, to: path)
        } catch {
            let isFirst = isFailing.withLock { failing in
                defer { failing = true }
                return !failing
            }
            if isFirst { report(.failing(path: path, reason: error.description)) }
            throw error
        }
        let wasFailing = isFailing.withLock { failing in
            defer { failing = false }
            return failing
        }
        if wasFailing { report(.recovered(path: path)) }
    }
}
