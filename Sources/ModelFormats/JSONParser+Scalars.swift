/// Strings and numbers: the byte-level part of `JSONParser`.
extension JSONParser {
    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        var isInteger = true
        var magnitude: UInt64 = 0
        var overflowed = false
        let isNegative = peek() == UInt8(ascii: "-")
        if isNegative { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else {
            guard let first = peek(), isDigit(first) else { throw invalid }
            while let digit = peek(), isDigit(digit) {
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
                overflowed = overflowed || o1 || o2
                magnitude = sum
                index += 1
            }
        }
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            try skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            try skipDigits()
        }
        if isInteger, !overflowed, magnitude <= UInt64(Int.max) {
            return .integer(isNegative ? -Int(magnitude) : Int(magnitude))
        }
        // Not an integer any field accepts; the value only matters for equality in tests.
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        return .number(Double(text) ?? .nan)
    }

    /// One or more decimal digits.
    private mutating func skipDigits() throws(JSONSyntaxError) {
        guard let first = peek(), isDigit(first) else { throw invalid }
        while let digit = peek(), isDigit(digit) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// RFC 8259 §7: a quoted string; control characters must be escaped.
    mutating func parseString() throws(JSONSyntaxError) -> String {
        try expect(UInt8(ascii: "\""))
        var decoded: [UInt8] = []
        var runStart = index
        while true {
            guard let byte = peek() else { throw invalid }
            switch byte {
            case UInt8(ascii: "\""):
                decoded.append(contentsOf: bytes[runStart..<index])
                index += 1
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                decoded.append(contentsOf: bytes[runStart..<index])
                index += 1
                try appendEscape(to: &decoded)
                runStart = index
            case 0x00..<0x20:
                throw invalid
            default:
                index += 1
            }
        }
    }

    /// Decodes the escape after a backslash, including `\u` surrogate pairs.
    private mutating func appendEscape(to decoded: inout [UInt8]) throws(JSONSyntaxError) {
        guard let byte = peek() else { throw invalid }
        index += 1
        let simple: UInt8? = switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            decoded.append(simple)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw invalid }
        var scalar = try parseHex4()
        if (0xD800..<0xDC00).contains(scalar) {
            // A high surrogate must be followed by an escaped low surrogate.
            try expect(UInt8(ascii: "\\"))
            try expect(UInt8(ascii: "u"))
            let low = try parseHex4()
            guard (0xDC00..<0xE000).contains(low) else { throw invalid }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw invalid }
        decoded.append(contentsOf: UTF8.encode(unicode)!)
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek() else { throw invalid }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw invalid
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
