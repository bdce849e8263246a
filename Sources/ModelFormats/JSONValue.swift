/// A parsed JSON value, so header validation can inspect types itself and name the tensor
/// at fault instead of surfacing a decoder's generic type-mismatch error.
///
/// Integers (no fraction, no exponent) that fit `Int` are `.integer`; every other number is
/// `.number`, which no safetensors field accepts, so `1.0` is not a valid shape dimension.
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

/// Why a JSON text was rejected.
enum JSONSyntaxError: Error, Equatable {
    /// The text breaks the RFC 8259 grammar (or nests too deep) at byte `offset`.
    case invalid(offset: Int)
    /// An object names `key` twice; RFC 8259 §4 leaves the meaning undefined, so we refuse.
    case duplicateKey(String)
}
