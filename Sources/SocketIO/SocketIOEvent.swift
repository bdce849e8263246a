/// An EVENT packet's data split into its name and arguments:
/// `["join","model:minilm"]` → name `join`, arguments `["\"model:minilm\""]` (raw JSON).
public struct SocketIOEvent: Equatable, Sendable {
    public var name: String
    /// Each argument's JSON text, as sent.
    public var arguments: [[UInt8]]

    public init(name: String, arguments: [[UInt8]]) {
        self.name = name
        self.arguments = arguments
    }

    /// The event of a decoded EVENT packet's data (already validated by `SocketIOPacket`).
    public init(data: [UInt8]) throws(SocketIOError) {
        let bytes = data[...]
        guard let items = JSONSpan.elements(bytes, from: bytes.startIndex)?.items, let first = items.first,
              let name = JSONSpan.string(bytes[first]) else { throw .eventNameMissing }
        self.name = name
        arguments = items.dropFirst().map { Array(bytes[$0]) }
    }

    /// The argument at `index` when it is a JSON string, decoded.
    public func stringArgument(_ index: Int) -> String? {
        guard index < arguments.count else { return nil }
        return JSONSpan.string(arguments[index][...])
    }

    /// The EVENT data `["name",arg...]` for arguments already in JSON.
    public static func data(name: String, arguments: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        appendJSONString(name, to: &out)
        for argument in arguments {
            out.append(UInt8(ascii: ","))
            out += argument
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// `text` as a JSON string literal (RFC 8259 §7).
    public static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0..<0x20: out += Array(("\\u00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `{"code":...,"message":...}` for error replies.
    public static func errorObject(code: String, message: String) -> [UInt8] {
        var out = Array(#"{"code":"#.utf8)
        appendJSONString(code, to: &out)
        out += Array(#","message":"#.utf8)
        appendJSONString(message, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
