import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The state directory (ETA history, digest cache). Created if missing; when it cannot be
/// created the server still runs, keeping that state in memory only, and says so.
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
}
