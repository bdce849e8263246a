/// The metadata keys modeld's log lines use, declared once (STYLE §2 "Single tables").
///
/// Keys are short, lower case and stable, because log pipelines and tests search for them:
/// `listening address=127.0.0.1:8080`, `conn=17 peer=10.0.0.4:51234 status=431`.
public enum LogKey {
    /// A local address a listener is bound to, as `HOST:PORT`.
    public static let address = "address"
    /// A connection's number, unique for the life of the process.
    public static let conn = "conn"
    /// The remote address of a connection, as `HOST:PORT`.
    public static let peer = "peer"
    /// An HTTP status code sent.
    public static let status = "status"
    /// An HTTP request method.
    public static let method = "method"
    /// An HTTP request path.
    public static let path = "path"
    /// A model ID.
    public static let model = "model"
    /// A load step number (DESIGN §1.2).
    public static let step = "step"
    /// A load step's phase.
    public static let phase = "phase"
    /// A WebSocket room name.
    public static let room = "room"
    /// A WebSocket close code (RFC 6455 §7.4).
    public static let closeCode = "close_code"
    /// A stable error code, as sent to clients.
    public static let error = "error"
    /// A human-readable reason, for logs only.
    public static let reason = "reason"
    /// A signal name, such as `SIGTERM`.
    public static let signal = "signal"
    /// A configuration key's dotted name.
    public static let key = "key"
    /// Where a configuration value came from: default, file, environment or flag.
    public static let source = "source"
    /// A count of bytes.
    public static let bytes = "bytes"
    /// A duration in milliseconds.
    public static let durationMilliseconds = "duration_ms"
    /// modeld's version.
    public static let version = "version"
    /// A number of event loops.
    public static let loops = "loops"
    /// A load event's name (`model_load_progress`, ...).
    public static let event = "event"
    /// A load's overall progress, as a percentage.
    public static let progress = "progress"
    /// Seconds a load is expected to need still.
    public static let etaSeconds = "eta_seconds"
    /// A load attempt's number (1-based; above 1 after retries).
    public static let attempt = "attempt"
    /// A model folder in the repository.
    public static let folder = "folder"
    /// A count of models.
    public static let models = "models"
    /// Seconds a whole load took.
    public static let loadSeconds = "load_seconds"
    /// Seconds granted to drain on shutdown.
    public static let graceSeconds = "grace_seconds"
    /// The systemd notification socket (`NOTIFY_SOCKET`), as given.
    public static let socket = "socket"
    /// The systemd watchdog timeout (`WatchdogSec=`), or `off`.
    public static let watchdog = "watchdog"
    /// A file descriptor number (socket activation).
    public static let fd = "fd"
    /// A socket's name from `LISTEN_FDNAMES` (`FileDescriptorName=`).
    public static let name = "name"
    /// Event-loop indexes (0-based), comma-separated.
    public static let loop = "loop"
    /// The configuration keys a reload changed, comma-separated.
    public static let changes = "changes"
    /// Models a reload registered.
    public static let modelsAdded = "models_added"
    /// Models a reload removed.
    public static let modelsRemoved = "models_removed"
    /// What the server did about something, such as a model changed on disk.
    public static let action = "action"
}
