import HTTPServer

/// Builds compact JSON straight into bytes (no Foundation, no intermediate dictionaries),
/// so status bodies answered on the event loop allocate only the response itself.
///
/// Commas are inserted automatically: call `key(_:)` then a value inside objects, values
/// alone inside arrays.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func beginObject() { valuePrefix(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    mutating func endObject() { needsComma.removeLast(); bytes.append(UInt8(ascii: "}")) }
    mutating func beginArray() { valuePrefix(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    mutating func endArray() { needsComma.removeLast(); bytes.append(UInt8(ascii: "]")) }

    /// Writes an object key; the next call writes its value.
    mutating func key(_ name: String) {
        if needsComma.last == true { bytes.append(UInt8(ascii: ",")) }
        JSONText.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = false }
        isAfterKey = true
    }

    mutating func string(_ value: String) { valuePrefix(); JSONText.appendString(value, to: &bytes) }
    mutating func int<T: BinaryInteger>(_ value: T) { valuePrefix(); bytes.append(contentsOf: String(value).utf8) }
    mutating func bool(_ value: Bool) { valuePrefix(); bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    mutating func null() { valuePrefix(); bytes.append(contentsOf: "null".utf8) }

    /// Writes a finite double with up to `fractionDigits` decimals (non-finite → null).
    mutating func double(_ value: Double, fractionDigits: Int = 4) {
        guard value.isFinite else { return null() }
        valuePrefix()
        var scale = 1.0
        for _ in 0..<fractionDigits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// Writes a float as JSON (shortest round-trip form); non-finite → null.
    mutating func float(_ value: Float) {
        guard value.isFinite else { return null() }
        valuePrefix()
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func optionalInt<T: BinaryInteger>(_ value: T?) { if let value { int(value) } else { null() } }
    mutating func optionalString(_ value: String?) { if let value { string(value) } else { null() } }

    /// Writes already-encoded JSON bytes as a value.
    mutating func raw(_ json: [UInt8]) { valuePrefix(); bytes.append(contentsOf: json) }

    private var isAfterKey = false

    private mutating func valuePrefix() {
        if isAfterKey {
            isAfterKey = false
        } else if needsComma.last == true {
            bytes.append(UInt8(ascii: ","))
        }
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = true }
    }
}
