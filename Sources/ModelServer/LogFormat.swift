/// How `KeyValueLogHandler` writes a line: `key=value` pairs or one JSON object.
public enum LogFormat: String, Sendable, Equatable, CaseIterable {
    /// `ts=… level=info msg=listening address=127.0.0.1:8080` (the default).
    case keyValue = "keyvalue"
    /// `{"ts":"…","level":"info","msg":"listening","address":"127.0.0.1:8080"}`.
    case json
}
