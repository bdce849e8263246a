#if canImport(Glibc)
import Glibc
#endif

/// The listening sockets systemd passed in (socket activation, sd_listen_fds(3)):
/// `LISTEN_FDS` descriptors starting at 3, meant for the process `LISTEN_PID`, named by the
/// colon-separated `LISTEN_FDNAMES` (`FileDescriptorName=` in the `.socket` unit).
///
/// Policy: when the sockets are for this process they replace the `listen` setting
/// entirely. Variables meant for another process (a `LISTEN_PID` that is not ours, e.g. left
/// by a wrapper) are ignored. The variables are removed from the environment once read, as
/// `sd_listen_fds(1)` does, so nothing started later mistakes them for its own.
enum SystemdSocketActivation {
    /// One passed socket.
    struct Socket: Equatable, Sendable {
        /// Its descriptor (3, 4, ...).
        let fd: Int32
        /// Its name from `LISTEN_FDNAMES`; `unknown` when the variable is absent (systemd's
        /// own default).
        let name: String
    }

    /// The first passed descriptor (`SD_LISTEN_FDS_START`): 0–2 are stdin, stdout, stderr.
    static let firstFD: Int32 = 3

    /// The sockets `environment` passes to the process `pid`; empty when none are for it.
    static func sockets(environment: [String: String], pid: Int32) throws(SystemdError) -> [Socket] {
        guard let pidText = environment["LISTEN_PID"] else { return [] }
        guard let owner = Int32(pidText), owner > 0 else { throw .invalidListenPID(pidText) }
        guard owner == pid else { return [] }
        let countText = environment["LISTEN_FDS"] ?? "0"
        // The last descriptor, firstFD + count - 1, must still be an Int32.
        guard let count = Int32(countText), count >= 0, count <= Int32.max - firstFD else {
            throw .invalidListenFDs(countText)
        }
        guard count > 0 else { return [] }
        var names = Array(repeating: "unknown", count: Int(count))
        if let namesText = environment["LISTEN_FDNAMES"] {
            let given = namesText.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard given.count == Int(count) else { throw .listenFDNamesMismatch(names: given.count, descriptors: Int(count)) }
            names = given
        }
        return names.enumerated().map { Socket(fd: firstFD + Int32($0.offset), name: $0.element) }
    }

    /// Reads the sockets passed to this process from the real environment, then removes
    /// `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` from it. Call it once, early in
    /// start-up: `unsetenv` is not safe while another thread reads the environment, and
    /// before the loops and load threads exist nothing does.
    static func take(environment: [String: String]) throws(SystemdError) -> [Socket] {
        defer {
            if environment["LISTEN_PID"] != nil {
                for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
            }
        }
        return try sockets(environment: environment, pid: getpid())
    }
}
