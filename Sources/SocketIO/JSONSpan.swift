/// A strict, non-allocating RFC 8259 syntax checker over bytes: finds where one JSON value
/// ends, so Socket.IO packets can be split into their arguments without building a tree.
/// Depth is capped (`maxDepth`) so hostile nesting cannot exhaust the stack.
enum JSONSpan {
    static let maxDepth = 64

    /// The end index of the value starting at `index` (after leading whitespace), or nil when
    /// it is not a valid JSON value.
    static func valueEnd(_ bytes: ArraySlice<UInt8>, from index: Int, depth: Int = 0) -> Int? {
        guard depth < maxDepth else { return nil }
        var index = skipSpace(bytes, index)
        guard index < bytes.endIndex else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index = skipSpace(bytes, index + 1)
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "}") { return index + 1 }
            while true {
                index = skipSpace(bytes, index)
                guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\""), let keyEnd = stringEnd(bytes, index) else { return nil }
                index = skipSpace(bytes, keyEnd)
                guard index < bytes.endIndex, bytes[index] == UInt8(ascii: ":"),
                      let end = valueEnd(bytes, from: index + 1, depth: depth + 1) else { return nil }
                index = skipSpace(bytes, end)
                guard index < bytes.endIndex else { return nil }
                if bytes[index] == UInt8(ascii: "}") { return index + 1 }
                guard bytes[index] == UInt8(ascii: ",") else { return nil }
                index += 1
            }
        case UInt8(ascii: "["):
            return elements(bytes, from: index, depth: depth)?.end
        case UInt8(ascii: "\""):
            return stringEnd(bytes, index)
        case UInt8(ascii: "t"): return literal("true", bytes, index)
        case UInt8(ascii: "f"): return literal("false", bytes, index)
        case UInt8(ascii: "n"): return literal("null", bytes, index)
        default: return numberEnd(bytes, index)
        }
    }

    /// The element ranges of the array starting at `index`, and where it ends.
    static func elements(_ bytes: ArraySlice<UInt8>, from index: Int, depth: Int = 0) -> (items: [Range<Int>], end: Int)? {
        var index = skipSpace(bytes, index)
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "[") else { return nil }
        var items: [Range<Int>] = []
        index = skipSpace(bytes, index + 1)
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "]") { return (items, index + 1) }
        while true {
            let start = skipSpace(bytes, index)
            guard let end = valueEnd(bytes, from: start, depth: depth + 1) else { return nil }
            items.append(start..<end)
            index = skipSpace(bytes, end)
            guard index < bytes.endIndex else { return nil }
            if bytes[index] == UInt8(ascii: "]") { return (items, index + 1) }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
    }

    /// Whether `bytes` is exactly one JSON value (whitespace around it allowed).
    static func isValue(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let end = valueEnd(bytes, from: bytes.startIndex) else { return false }
        return skipSpace(bytes, end) == bytes.endIndex
    }

    /// The text of the JSON string at `range` (quotes included), escapes decoded.
    static func string(_ bytes: ArraySlice<UInt8>) -> String? {
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""), stringEnd(bytes, bytes.startIndex) == bytes.endIndex else {
            return nil
        }
        let inner = bytes.dropFirst().dropLast()
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var index = inner.startIndex
        var raw: [UInt8] = []
        func flushRaw() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll()
        }
        while index < inner.endIndex {
            let byte = inner[index]
            guard byte == UInt8(ascii: "\\") else {
                raw.append(byte)
                index += 1
                continue
            }
            flushRaw()
            let escaped = inner[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var value = hex4(inner, index) ?? 0xFFFD
                index += 4
                if (0xD800..<0xDC00).contains(value), index + 6 <= inner.endIndex, inner[index] == UInt8(ascii: "\\"),
                   let low = hex4(inner, index + 2), (0xDC00..<0xE000).contains(low) {
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            default: scalars.append(Unicode.Scalar(escaped))
            }
        }
        flushRaw()
        return String(scalars)
    }

    static func skipSpace(_ bytes: ArraySlice<UInt8>, _ start: Int) -> Int {
        var index = start
        while index < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return index
    }

    /// The index after the closing quote of the string that starts at `start`.
    private static func stringEnd(_ bytes: ArraySlice<UInt8>, _ start: Int) -> Int? {
        var index = start + 1
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.endIndex else { return nil }
                let escaped = bytes[index + 1]
                if escaped == UInt8(ascii: "u") {
                    guard hex4(bytes, index + 2) != nil else { return nil }
                    index += 6
                } else {
                    guard Array("\"\\/bfnrt".utf8).contains(escaped) else { return nil }
                    index += 2
                }
            case 0..<0x20: return nil
            default: index += 1
            }
        }
        return nil
    }

    private static func hex4(_ bytes: ArraySlice<UInt8>, _ start: Int) -> UInt32? {
        guard start >= bytes.startIndex, start + 4 <= bytes.endIndex else { return nil }
        var value: UInt32 = 0
        for byte in bytes[start..<(start + 4)] {
            guard let digit = hexDigit(byte) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte - 0x30)
        case 0x41...0x46: UInt32(byte - 0x41 + 10)
        case 0x61...0x66: UInt32(byte - 0x61 + 10)
        default: nil
        }
    }

    private static func literal(_ word: String, _ bytes: ArraySlice<UInt8>, _ start: Int) -> Int? {
        bytes[start...].starts(with: word.utf8) ? start + word.utf8.count : nil
    }

    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private static func numberEnd(_ bytes: ArraySlice<UInt8>, _ start: Int) -> Int? {
        var index = start
        func digits() -> Int {
            let from = index
            while index < bytes.endIndex, (0x30...0x39).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.endIndex else { return nil }
        if bytes[index] == UInt8(ascii: "0") { index += 1 } else if digits() == 0 { return nil }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return nil }
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return nil }
        }
        return index
    }
}
