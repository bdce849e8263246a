public import Logging
import Synchronization

/// The process's log level, shared by every `KeyValueLogHandler` made with it, so that
/// `SIGHUP` can change `log.level` for all loggers at once (swift-log bootstraps handlers
/// once per process and each logger keeps its own handler copy).
///
/// Loggers ask for the level before every entry; reading it takes a lock around one byte
/// and allocates nothing.
public final class LogLevelSwitch: Sendable {
    private let current: Mutex<Logger.Level>

    /// A switch set to `level`.
    public init(_ level: Logger.Level) {
        current = Mutex(level)
    }

    /// The least severe level written now.
    public var level: Logger.Level {
        current.withLock { $0 }
    }

    /// Writes entries of `level` and above from now on.
    public func set(_ level: Logger.Level) {
        current.withLock { $0 = level }
    }
}
