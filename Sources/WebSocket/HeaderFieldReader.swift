import HTTPServer

/// Reads header fields of a parsed request head for the handshake: every value of a field
/// name (fields may repeat), and tokens in comma-separated list values (RFC 9110 §5.6.1).
struct HeaderFieldReader {
    let head: HTTPRequestHead
    let buffer: UnsafeRawBufferPointer

    /// The values of every field called `name` (lowercase), in order.
    func values(named name: String) -> [UnsafeRawBufferPointer] {
        head.fields.compactMap { field in
            let fieldName = UnsafeRawBufferPointer(rebasing: buffer[field.name])
            guard Self.equalsIgnoringCase(fieldName, name) else { return nil }
            return UnsafeRawBufferPointer(rebasing: buffer[field.value])
        }
    }

    /// Whether any field called `name` lists `token` (lowercase), compared case-insensitively.
    func containsToken(_ token: String, inFieldsNamed name: String) -> Bool {
        values(named: name).contains { value in
            value.split(separator: UInt8(ascii: ",")).contains { element in
                Self.equalsIgnoringCase(Self.trimmed(element), token)
            }
        }
    }

    /// Whether `bytes` spell `text` ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: some Collection<UInt8>, _ text: String) -> Bool {
        bytes.count == text.utf8.count && zip(bytes, text.utf8).allSatisfy { lowercased($0) == lowercased($1) }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        var slice = bytes
        while let first = slice.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { slice = slice.dropFirst() }
        while let last = slice.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { slice = slice.dropLast() }
        return slice
    }
}
