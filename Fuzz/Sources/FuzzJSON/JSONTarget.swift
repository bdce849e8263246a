import FuzzSupport
@testable import ModelFormats

/// Parses the input with ModelFormats' strict `JSONParser` (its caller checks UTF-8 first, so
/// other inputs are skipped) and checks that an accepted value survives a round trip: written
/// back as JSON and parsed again, it is the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    guard String(validating: input, as: UTF8.self) != nil else { return 0 }
    guard let value = try? JSONParser.parse(input) else { return 0 }
    var text: [UInt8] = []
    guard write(value, to: &text) else { return 0 }
    let again = text.withUnsafeBytes { try? JSONParser.parse($0) }
    fuzzCheck(again == value, "\(String(decoding: text, as: UTF8.self)) parsed as \(String(describing: again)), not \(value)")
    return 0
}

/// Appends `value` as JSON text; false when it holds a number JSON cannot spell (infinity).
private func write(_ value: JSONValue, to text: inout [UInt8]) -> Bool {
    switch value {
    case .null: text += Array("null".utf8)
    case .bool(let flag): text += Array((flag ? "true" : "false").utf8)
    case .integer(let number): text += Array(String(number).utf8)
    case .number(let number):
        guard number.isFinite else { return false }
        text += Array("\(number)".utf8)
    case .string(let string): writeString(string, to: &text)
    case .array(let elements):
        text.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            guard write(element, to: &text) else { return false }
        }
        text.append(UInt8(ascii: "]"))
    case .object(let members):
        text.append(UInt8(ascii: "{"))
        for (index, (key, element)) in members.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            writeString(key, to: &text)
            text.append(UInt8(ascii: ":"))
            guard write(element, to: &text) else { return false }
        }
        text.append(UInt8(ascii: "}"))
    }
    return true
}

/// Appends `string` quoted, every control character and every non-ASCII scalar escaped.
private func writeString(_ string: String, to text: inout [UInt8]) {
    text.append(UInt8(ascii: "\""))
    for unit in string.utf16 {
        switch unit {
        case 0x22: text += Array("\\\"".utf8)
        case 0x5C: text += Array("\\\\".utf8)
        case 0x20..<0x7F: text.append(UInt8(unit))
        default:
            let hex = String(unit, radix: 16)
            text += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
        }
    }
    text.append(UInt8(ascii: "\""))
}
