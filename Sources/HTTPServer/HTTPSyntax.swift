/// Byte classes and small scanners from the HTTP grammar (RFC 9110 §5.6), shared by the
/// head parser and the chunked body's trailer section.
enum HTTPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B

    /// `tchar` for bytes 0...63 and 64...127 as bitmasks (RFC 9110 §5.6.2): DIGIT, ALPHA and
    /// ``!#$%&'*+-.^_`|~``.
    private static let tcharLow: UInt64 = 0x03FF_6CFA_0000_0000
    private static let tcharHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    /// Whether `byte` may appear in a token (method, field name, coding name).
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        if byte < 64 { return tcharLow & (1 << UInt64(byte)) != 0 }
        if byte < 128 { return tcharHigh & (1 << UInt64(byte - 64)) != 0 }
        return false
    }

    /// Whether `byte` may appear in a field value: VCHAR, obs-text, SP or HTAB
    /// (RFC 9110 §5.5: CR, LF, NUL and the other controls are invalid).
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte >= 0x20 ? byte != 0x7F : byte == tab
    }

    /// Whether `byte` is optional whitespace (OWS: SP or HTAB).
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    /// Whether `bytes` is a non-empty token.
    static func isToken(_ bytes: UnsafeRawBufferPointer) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenByte)
    }

    /// Whether `bytes` equals the ASCII `lowercase` ignoring case; `lowercase` must be
    /// lower case already. Literals are `StaticString`s, compared through their UTF-8 pointer:
    /// walking a `String`'s `utf8` view per header name was a measurable part of parsing.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        let count = lowercase.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let expected = lowercase.utf8Start
        for index in 0..<count where asciiLowercased(bytes[index]) != expected[index] { return false }
        return true
    }

    /// Whether `bytes` are exactly the bytes of `literal`.
    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let expected = literal.utf8Start
        for index in 0..<count where bytes[index] != expected[index] { return false }
        return true
    }

    /// Whether `bytes` are exactly `other`.
    static func equals(_ bytes: UnsafeRawBufferPointer, _ other: [UInt8]) -> Bool {
        guard bytes.count == other.count else { return false }
        return other.withUnsafeBufferPointer { other in
            for index in 0..<other.count where bytes[index] != other[index] { return false }
            return true
        }
    }

    @inline(__always)
    static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// `range` without the OWS at either end.
    static func trimmingWhitespace(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isWhitespace(buffer[lower]) { lower += 1 }
        while upper > lower, isWhitespace(buffer[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// Calls `body` with each element of a comma-separated list (RFC 9110 §5.6.1), trimmed
    /// of OWS; empty elements are skipped, as recipients must accept them.
    static func forEachListElement<E: Error>(
        in range: Range<Int>, of buffer: UnsafeRawBufferPointer,
        _ body: (Range<Int>) throws(E) -> Void
    ) throws(E) {
        var start = range.lowerBound
        var index = range.lowerBound
        while index <= range.upperBound {
            if index == range.upperBound || buffer[index] == comma {
                let element = trimmingWhitespace(start..<index, in: buffer)
                if !element.isEmpty { try body(element) }
                start = index + 1
            }
            index += 1
        }
    }
}
