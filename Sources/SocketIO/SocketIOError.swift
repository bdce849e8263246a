/// Why a Socket.IO packet was refused. Each case has a stable `code` and a `message` for
/// the client (sent back as an `error` event, or in CONNECT_ERROR before connecting).
public enum SocketIOError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyPacket
    case unknownPacketType(UInt8)
    /// BINARY_EVENT / BINARY_ACK (types 5, 6): not served.
    case binaryNotSupported
    case badNamespace
    case badAckID
    case unexpectedAckID
    case unexpectedData
    case malformedJSON
    case connectDataNotObject
    case eventNotArray
    case eventNameMissing

    /// A stable, machine-readable code.
    public var code: String {
        switch self {
        case .emptyPacket: "empty_packet"
        case .unknownPacketType: "unknown_packet_type"
        case .binaryNotSupported: "binary_not_supported"
        case .badNamespace: "bad_namespace"
        case .badAckID: "bad_ack_id"
        case .unexpectedAckID: "unexpected_ack_id"
        case .unexpectedData: "unexpected_data"
        case .malformedJSON: "malformed_json"
        case .connectDataNotObject: "connect_data_not_object"
        case .eventNotArray: "event_not_array"
        case .eventNameMissing: "event_name_missing"
        }
    }

    /// What the client is told.
    public var message: String {
        switch self {
        case .emptyPacket: "A Socket.IO packet must start with its type (0-6)."
        case .unknownPacketType(let byte): "Unknown Socket.IO packet type \(EngineIOError.show(byte)); types are 0-6."
        case .binaryNotSupported: "Binary events and acks are not supported by this server; send JSON arguments."
        case .badNamespace: "The namespace must be printable ASCII of at most 256 bytes, followed by a comma."
        case .badAckID: "An ack id must be a decimal number up to 2147483647 (and an ACK needs one)."
        case .unexpectedAckID: "Only EVENT and ACK packets carry an ack id."
        case .unexpectedData: "A DISCONNECT packet carries no data."
        case .malformedJSON: "The packet's data is not valid JSON."
        case .connectDataNotObject: "CONNECT's auth data must be a JSON object."
        case .eventNotArray: "An EVENT or ACK packet's data must be a JSON array."
        case .eventNameMissing: "An EVENT's first element must be the event name, a string."
        }
    }

    public var description: String { "\(code): \(message)" }
}
