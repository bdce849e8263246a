/// A JSON-shaped value of an event's `data` object, so the server can encode `LoadEvent`
/// without knowing its fields.
public enum LoadEventValue: Sendable, Equatable {
    /// A JSON string.
    case string(String)
    /// A JSON integer.
    case int(Int64)
    /// A JSON number with a fraction.
    case double(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// `null` (no value, e.g. no ETA yet).
    case null
    /// A nested object; keys keep their order.
    case object([LoadEventField])
}

/// One key of an event's `data` object.
public struct LoadEventField: Sendable, Equatable {
    /// The snake_case key (`bytes_loaded`).
    public var key: String
    /// Its value.
    public var value: LoadEventValue

    /// The field `key` with `value`.
    public init(_ key: String, _ value: LoadEventValue) {
        self.key = key
        self.value = value
    }
}
