/// An incremental UTF-8 validator: bytes may arrive in any pieces (fragments, inflate
/// output), and the first invalid byte is reported at once, not at the end of the message
/// (Autobahn 6.4.x "fail fast").
///
/// Validity is the Unicode well-formed table (Unicode §3.9, Table 3-7; RFC 3629 §4):
/// no overlong forms, no surrogates (U+D800-U+DFFF), nothing above U+10FFFF. The state
/// between pieces is how many continuation bytes are still due and the range the next one
/// must fall in.
public struct UTF8Validator: Sendable, Equatable {
    /// Continuation bytes still due for the current character.
    private var pending = 0
    /// The smallest byte allowed next, when `pending > 0`.
    private var lower: UInt8 = 0x80
    /// The largest byte allowed next, when `pending > 0`.
    private var upper: UInt8 = 0xBF

    /// A validator at the start of a text.
    public init() {}

    /// Whether the bytes seen so far end on a character boundary; a text message is valid
    /// only if this holds at its end.
    public var isComplete: Bool { pending == 0 }

    /// Checks the next piece of the text; false as soon as a byte cannot be part of valid
    /// UTF-8, after which the validator must not be used again.
    public mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var index = 0
        while index < count {
            if pending == 0 {
                // ASCII fast path: eight bytes at a time while none has its high bit set.
                // loadUnaligned has no alignment requirement and index + 8 <= count.
                while index + 8 <= count,
                      bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                }
                guard index < count else { break }
            }
            guard accept(bytes[index]) else { return false }
            index += 1
        }
        return true
    }

    /// Checks the bytes of an array piece.
    public mutating func validate(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { validate($0) }
    }

    /// Advances over one byte; false if it is not allowed here.
    @inline(__always)
    private mutating func accept(_ byte: UInt8) -> Bool {
        if pending > 0 {
            guard byte >= lower && byte <= upper else { return false }
            pending -= 1
            lower = 0x80
            upper = 0xBF
            return true
        }
        switch byte {
        case 0x00...0x7F: return true
        case 0xC2...0xDF: pending = 1
        case 0xE0: pending = 2; lower = 0xA0            // no overlong 3-byte forms
        case 0xE1...0xEC, 0xEE...0xEF: pending = 2
        case 0xED: pending = 2; upper = 0x9F            // no surrogates
        case 0xF0: pending = 3; lower = 0x90            // no overlong 4-byte forms
        case 0xF1...0xF3: pending = 3
        case 0xF4: pending = 3; upper = 0x8F            // nothing above U+10FFFF
        default: return false                           // 80-C1 (stray or overlong), F5-FF
        }
        return true
    }
}
