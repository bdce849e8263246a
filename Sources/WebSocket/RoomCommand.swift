import HTTPServer

/// A client's room command: `{"action":"subscribe","room":"model:minilm"}` or
/// `{"action":"unsubscribe","room":...}`. Parsed by a small reader of flat JSON objects
/// (string, number, boolean and null values), enough for commands and strict about
/// everything else.
enum RoomCommand: Equatable {
    case subscribe(RoomName)
    case unsubscribe(RoomName)

    struct Problem: Error, Equatable {
        let code: String
        let message: String
    }

    static func parse(_ bytes: [UInt8]) -> Result<RoomCommand, Problem> {
        guard let fields = FlatJSONObject.parse(bytes) else {
            return .failure(Problem(code: "malformed_message", message: "Messages must be JSON objects like {\"action\":\"subscribe\",\"room\":\"models\"}."))
        }
        guard let action = fields["action"] else {
            return .failure(Problem(code: "missing_action", message: "The message has no \"action\"."))
        }
        guard let room = fields["room"], !room.isEmpty else {
            return .failure(Problem(code: "missing_room", message: "The message has no \"room\"."))
        }
        switch action {
        case "subscribe": return .success(.subscribe(RoomName(room)))
        case "unsubscribe": return .success(.unsubscribe(RoomName(room)))
        default: return .failure(Problem(code: "unknown_action", message: "Unknown action; use subscribe or unsubscribe."))
        }
    }

    /// `text` escaped for use inside a JSON string literal (RFC 8259 §7), without the
    /// surrounding quotes (the escaping is `JSONText`'s).
    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        JSONText.appendString(text, to: &out)
        return String(decoding: out.dropFirst().dropLast(), as: UTF8.self)
    }
}

/// Reads `{"key": value, ...}` where every value is a string, number, boolean or null;
/// string values are returned, the others are checked and skipped. Nested values → nil.
enum FlatJSONObject {
    static func parse(_ bytes: [UInt8]) -> [String: String]? {
        var reader = Reader(bytes: bytes)
        return reader.object()
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func object() -> [String: String]? {
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return nil }
            var fields: [String: String] = [:]
            skipSpace()
            if take(UInt8(ascii: "}")) { return finish(fields) }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                if peek == UInt8(ascii: "\"") {
                    guard let value = string() else { return nil }
                    fields[key] = value
                } else if !scalar() {
                    return nil
                }
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                return finish(fields)
            }
        }

        private mutating func finish(_ fields: [String: String]) -> [String: String]? {
            skipSpace()
            return index == bytes.count ? fields : nil
        }

        private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        private mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        /// A string with the common escapes (\uXXXX included, surrogate pairs combined).
        private mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var scalars = String.UnicodeScalarView()
            var raw: [UInt8] = []
            func flush() -> Bool {
                guard !raw.isEmpty else { return true }
                guard let text = String(validating: raw, as: UTF8.self) else { return false }
                scalars.append(contentsOf: text.unicodeScalars)
                raw.removeAll()
                return true
            }
            while let byte = peek {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return flush() ? String(scalars) : nil
                case UInt8(ascii: "\\"):
                    guard flush(), let escaped = escape() else { return nil }
                    scalars.append(escaped)
                case 0..<0x20:
                    return nil
                default:
                    raw.append(byte)
                }
            }
            return nil
        }

        private mutating func escape() -> Unicode.Scalar? {
            guard let byte = peek else { return nil }
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                guard let high = hex4() else { return nil }
                if (0xD800..<0xDC00).contains(high) {
                    guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(),
                          (0xDC00..<0xE000).contains(low) else { return nil }
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                }
                return Unicode.Scalar(high)
            default: return nil
            }
        }

        private mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16) else {
                return nil
            }
            index += 4
            return value
        }

        /// A number, true, false or null: checked loosely, skipped.
        private mutating func scalar() -> Bool {
            for literal in ["true", "false", "null"] where bytes[index...].starts(with: literal.utf8) {
                index += literal.utf8.count
                return true
            }
            let start = index
            while let byte = peek, byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || (0x30...0x39).contains(byte) {
                index += 1
            }
            return index > start
        }
    }
}
