import Logging
import ModelLoading
#if canImport(Glibc)
import Glibc
#endif

/// The state directory (ETA history, digest cache). Created if missing; when it cannot be
/// created the server still runs, keeping that state in memory only, and says so. A file
/// found torn or foreign at start is logged and ignored; writes that fail later (full,
/// read-only or removed directory) are logged once per streak, and their recovery once.
enum StateDirectory {
    /// Returns the directory path to use, or nil to keep state in memory.
    static func prepare(_ path: String, logger: Logger) -> String? {
        var info = stat()
        if stat(path, &info) == 0 { return path }
        if mkdir(path, 0o750) == 0 { return path }
        logger.warning("state directory unusable; ETA history and digest cache stay in memory",
                       metadata: [LogKey.path: "\(path)", LogKey.reason: "\(String(cString: strerror(errno)))"])
        return nil
    }

    /// The writer of the state files, logging when writes start failing and recover.
    static func writer(logger: Logger) -> StateFileWriter {
        StateFileWriter { report in
            switch report {
            case .failing(let path, let reason):
                logger.warning("state file not saved; ETA history and digest cache stay in memory, further failures are not logged until a write succeeds",
                               metadata: [LogKey.path: "\(path)", LogKey.reason: "\(reason)"])
            case .recovered(let path):
                logger.info("state file saved again", metadata: [LogKey.path: "\(path)"])
            }
        }
    }

    /// Logs why state files found at start were ignored.
    static func logIssues(_ issues: [String?], logger: Logger) {
        for issue in issues.compactMap({ $0 }) {
            logger.warning("state file ignored", metadata: [LogKey.reason: "\(issue)"])
        }
    }
}
