/// A JSON-shaped value of an event's `data` object, so the server can encode `LoadEvent`
/// without knowing its fields.
public enum LoadEventValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
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

    public init(_ key: String, _ value: LoadEventValue) {
        self.key = key
        self.value = value
    }
}
