/// Why bytes from an Engine.IO client were refused. Each case has a stable `code` and a
/// `message` for the client (STYLE §5: clients never see a `description`).
public enum EngineIOError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A packet with no type digit (an empty record, or `\x1e\x1e` in a payload).
    case emptyPacket
    /// A type that is not 0-6.
    case unknownPacketType(UInt8)
    /// A binary packet (`b` + base64 on polling, a binary WebSocket frame): not served.
    case binaryNotSupported
    /// A payload (a POST body, or a WebSocket message) longer than `maxPayload` bytes.
    case payloadTooLarge(limit: Int)
    /// Bytes that are not UTF-8 text.
    case invalidUTF8

    /// A stable, machine-readable code.
    public var code: String {
        switch self {
        case .emptyPacket: "empty_packet"
        case .unknownPacketType: "unknown_packet_type"
        case .binaryNotSupported: "binary_not_supported"
        case .payloadTooLarge: "payload_too_large"
        case .invalidUTF8: "invalid_utf8"
        }
    }

    /// What the client is told.
    public var message: String {
        switch self {
        case .emptyPacket: "An Engine.IO packet must start with its type (0-6)."
        case .unknownPacketType(let byte): "Unknown Engine.IO packet type \(Self.show(byte)); types are 0-6."
        case .binaryNotSupported: "Binary packets are not supported by this server; send text (JSON) packets."
        case .payloadTooLarge(let limit): "The payload is larger than maxPayload (\(limit) bytes)."
        case .invalidUTF8: "Engine.IO text packets must be UTF-8."
        }
    }

    public var description: String { "\(code): \(message)" }

    static func show(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + String(byte, radix: 16)
    }
}
