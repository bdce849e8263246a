/// Why a variable systemd hands the daemon (`NOTIFY_SOCKET`, `WATCHDOG_*`, `LISTEN_*`)
/// cannot be used.
///
/// Policy: a bad notification or watchdog variable turns that feature off with a warning
/// (the daemon can serve without it); a bad `LISTEN_*` variable stops start-up, because the
/// sockets the unit promised would not be served.
enum SystemdError: Error, Equatable, CustomStringConvertible {
    /// `NOTIFY_SOCKET` is neither an absolute path nor `@name` (e.g. a `vsock:` address).
    case unsupportedNotifySocket(String)
    /// `NOTIFY_SOCKET` does not fit `sockaddr_un.sun_path` (108 bytes).
    case notifySocketTooLong(String)
    /// `WATCHDOG_USEC` is not a positive number of microseconds.
    case invalidWatchdogUSec(String)
    /// `WATCHDOG_PID` is not a process id.
    case invalidWatchdogPID(String)
    /// `LISTEN_PID` is not a process id.
    case invalidListenPID(String)
    /// `LISTEN_FDS` is not a count of descriptors.
    case invalidListenFDs(String)
    /// `LISTEN_FDNAMES` names a different number of descriptors than `LISTEN_FDS`.
    case listenFDNamesMismatch(names: Int, descriptors: Int)

    var description: String {
        switch self {
        case .unsupportedNotifySocket(let value): "NOTIFY_SOCKET \(value) is neither an absolute path nor @name"
        case .notifySocketTooLong(let value): "NOTIFY_SOCKET \(value) is longer than a unix socket address allows"
        case .invalidWatchdogUSec(let value): "WATCHDOG_USEC \(value) is not a positive number of microseconds"
        case .invalidWatchdogPID(let value): "WATCHDOG_PID \(value) is not a process id"
        case .invalidListenPID(let value): "LISTEN_PID \(value) is not a process id"
        case .invalidListenFDs(let value): "LISTEN_FDS \(value) is not a count of descriptors"
        case .listenFDNamesMismatch(let names, let descriptors):
            "LISTEN_FDNAMES has \(names) names for \(descriptors) descriptors"
        }
    }
}
