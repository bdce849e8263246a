import Glibc
public import Logging
import Synchronization

/// A swift-log handler that writes one line per entry to stderr, as DESIGN §1.9 describes:
///
///     ts=2026-11-22T03:54:01.123Z level=info msg=listening address=127.0.0.1:8080
///
/// Policy:
/// - Metadata keys are sorted; handler metadata, then the metadata provider's, then the
///   entry's own win in that order. An entry's `error` is logged under `error`.
/// - A message or value is quoted only when it contains a space, `=`, `"` or a control
///   character (or is empty); inside quotes `"` and `\` are escaped and control characters
///   written as `\n`, `\t` or `\u{XX}`. So `msg=listening address=127.0.0.1:PORT` appears
///   literally, which tests and log pipelines rely on.
/// - With `LogFormat.json`, each line is one JSON object with the same fields.
/// - Under systemd's journal, each line starts with the syslog priority (`<6>` for info,
///   sd-daemon(3)) and carries no `ts`, because journald stamps lines itself.
/// - Each line reaches the output as a whole: one `write(2)` per line, under a process-wide
///   lock so that even lines longer than `PIPE_BUF` never interleave.
public struct KeyValueLogHandler: LogHandler {
    /// Least severe level this handler writes: the shared switch's level when the handler
    /// was made with one, until a logger sets its own level.
    public var logLevel: Logger.Level {
        get { levelSwitch?.level ?? fixedLogLevel }
        set {
            fixedLogLevel = newValue
            levelSwitch = nil
        }
    }
    /// Metadata attached to every entry logged through this handler.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata (such as task-local values) added to every entry.
    public var metadataProvider: Logger.MetadataProvider?
    /// `key=value` pairs or JSON objects.
    public let format: LogFormat
    /// Whether lines start with a syslog priority and omit the timestamp (journald).
    public let prefixesSyslogPriority: Bool
    private let output: Output
    private var fixedLogLevel: Logger.Level
    private var levelSwitch: LogLevelSwitch?

    /// Creates a handler; pass `prefixesSyslogPriority:
    /// KeyValueLogHandler.isStandardErrorJournal(environment:)` when writing to stderr, and
    /// `levelSwitch` to follow a level that changes at run time (it wins over `logLevel`).
    public init(
        logLevel: Logger.Level = .info,
        levelSwitch: LogLevelSwitch? = nil,
        format: LogFormat = .keyValue,
        prefixesSyslogPriority: Bool = false,
        metadataProvider: Logger.MetadataProvider? = nil,
        output: Output = .standardError
    ) {
        self.fixedLogLevel = logLevel
        self.levelSwitch = levelSwitch
        self.format = format
        self.prefixesSyslogPriority = prefixesSyslogPriority
        self.metadataProvider = metadataProvider
        self.output = output
    }

    /// One metadata value of this handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Encodes `event` as one line and hands it to the output.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        if let error = event.error { merged[LogKey.error] = .string(String(describing: error)) }
        let line = Self.encodeLine(
            level: event.level,
            message: event.message.description,
            metadata: merged,
            timestamp: prefixesSyslogPriority ? nil : Self.currentTimestamp(),
            format: format,
            prefixesSyslogPriority: prefixesSyslogPriority
        )
        output.write(line)
    }

    /// Whether stderr is connected to systemd's journal: `JOURNAL_STREAM` is set and names
    /// stderr's device and inode. Comparing them, as systemd.exec(5) advises, keeps a child
    /// process whose stderr was redirected from prefixing lines that no journal will parse.
    public static func isStandardErrorJournal(environment: [String: String]) -> Bool {
        guard let stream = environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(STDERR_FILENO, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    private static func currentTimestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return formatTimestamp(secondsSinceEpoch: Int(now.tv_sec), nanoseconds: Int(now.tv_nsec))
    }
}

extension KeyValueLogHandler {
    /// Where finished lines go; each call receives one whole line ending in `\n`.
    public struct Output: Sendable {
        private let sink: @Sendable (String) -> Void

        /// An output calling `sink` with each line, for tests and other destinations.
        public init(_ sink: @escaping @Sendable (String) -> Void) {
            self.sink = sink
        }

        func write(_ line: String) { sink(line) }

        /// Standard error, one `write(2)` per line.
        public static let standardError = Output { line in
            var bytes = Array(line.utf8)
            writeLock.withLock { _ in
                bytes.withUnsafeMutableBytes { buffer in writeAll(buffer, to: STDERR_FILENO) }
            }
        }

        /// Serialises writers so a line longer than `PIPE_BUF`, which the kernel may split,
        /// still reaches the pipe in one piece.
        private static let writeLock = Mutex(())

        private static func writeAll(_ buffer: UnsafeMutableRawBufferPointer, to fd: Int32) {
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    // Nowhere left to report a failing stderr; drop the line rather than spin.
                    return
                }
            }
        }
    }
}
