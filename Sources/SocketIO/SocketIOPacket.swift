/// One Socket.IO v5 packet (socket.io-protocol v5, "Packet encoding"), carried as the data
/// of an Engine.IO `message` packet:
/// `<type>[<attachments>-][<namespace>,][<ack id>][<JSON data>]`, e.g. `0{"token":"x"}`
/// (CONNECT with auth), `2["join","model:minilm"]`, `212["join","models"]` (EVENT with ack
/// id 12), `3/admin,12[true]` (ACK in a namespace). Binary packets (types 5 and 6) are
/// refused with `SocketIOError.binaryNotSupported`. A value type with no I/O.
public struct SocketIOPacket: Equatable, Sendable {
    /// The packet types, by their digit.
    public enum Kind: UInt8, Sendable, CaseIterable {
        case connect = 0x30, disconnect, event, ack, connectError, binaryEvent, binaryAck
    }

    /// The default namespace.
    public static let mainNamespace = "/"
    /// The largest ack id accepted (JavaScript's safe integers stop at 2^53; ids count up
    /// from 0 per socket, so 2^31 is ample).
    public static let maxAckID = Int(Int32.max)

    public var kind: Kind
    public var namespace: String
    public var ackID: Int?
    /// The JSON data, exactly as sent (nil when absent).
    public var data: [UInt8]?

    public init(_ kind: Kind, namespace: String = SocketIOPacket.mainNamespace, ackID: Int? = nil, data: [UInt8]? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.ackID = ackID
        self.data = data
    }

    /// The text form.
    public var encoded: [UInt8] {
        var out: [UInt8] = [kind.rawValue]
        if namespace != Self.mainNamespace {
            out += Array(namespace.utf8)
            out.append(UInt8(ascii: ","))
        }
        if let ackID { out += Array(String(ackID).utf8) }
        if let data { out += data }
        return out
    }

    /// The packet in `bytes` (the data of one Engine.IO message packet).
    public static func decode(_ bytes: [UInt8]) throws(SocketIOError) -> SocketIOPacket {
        guard let first = bytes.first else { throw .emptyPacket }
        guard let kind = Kind(rawValue: first) else { throw .unknownPacketType(first) }
        if kind == .binaryEvent || kind == .binaryAck { throw .binaryNotSupported }
        var index = 1
        var namespace = mainNamespace
        if index < bytes.count, bytes[index] == UInt8(ascii: "/") {
            guard let comma = bytes[index...].firstIndex(of: UInt8(ascii: ",")) else {
                // A namespace alone, as in `1/admin` (disconnect) or `0/admin`.
                namespace = try Self.namespace(bytes[index...])
                return try validated(SocketIOPacket(kind, namespace: namespace))
            }
            namespace = try Self.namespace(bytes[index..<comma])
            index = comma + 1
        }
        var ackID: Int?
        let digitsStart = index
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
            guard index - digitsStart < 10 else { throw .badAckID }
            index += 1
        }
        if index > digitsStart {
            guard let id = Int(String(decoding: bytes[digitsStart..<index], as: UTF8.self)), id <= maxAckID else {
                throw .badAckID
            }
            ackID = id
        }
        let data = index < bytes.count ? Array(bytes[index...]) : nil
        return try validated(SocketIOPacket(kind, namespace: namespace, ackID: ackID, data: data))
    }

    private static func namespace(_ bytes: ArraySlice<UInt8>) throws(SocketIOError) -> String {
        guard bytes.count <= 256, bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else { throw .badNamespace }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The rules per type: CONNECT's data is an object if any; EVENT's an array starting
    /// with a string (the event name); ACK's an array; CONNECT_ERROR's any JSON; DISCONNECT
    /// has none. Ack ids only on EVENT and ACK (and required on ACK).
    private static func validated(_ packet: SocketIOPacket) throws(SocketIOError) -> SocketIOPacket {
        let data = packet.data.map { $0[...] }
        if let data, !JSONSpan.isValue(data) { throw .malformedJSON }
        let startsWith: UInt8? = data.map { $0[JSONSpan.skipSpace($0, $0.startIndex)] }
        switch packet.kind {
        case .connect:
            guard packet.ackID == nil else { throw .unexpectedAckID }
            if data != nil, startsWith != UInt8(ascii: "{") { throw .connectDataNotObject }
        case .disconnect:
            guard packet.ackID == nil else { throw .unexpectedAckID }
            guard data == nil else { throw .unexpectedData }
        case .event:
            guard let data, startsWith == UInt8(ascii: "[") else { throw .eventNotArray }
            guard let items = JSONSpan.elements(data, from: data.startIndex)?.items, let name = items.first,
                  data[name.lowerBound] == UInt8(ascii: "\"") else { throw .eventNameMissing }
        case .ack:
            guard packet.ackID != nil else { throw .badAckID }
            guard startsWith == UInt8(ascii: "[") else { throw .eventNotArray }
        case .connectError:
            guard packet.ackID == nil else { throw .unexpectedAckID }
        case .binaryEvent, .binaryAck:
            throw .binaryNotSupported
        }
        return packet
    }
}
