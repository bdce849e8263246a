/// One Engine.IO v4 packet in its text form (engine.io-protocol v4, "Packet encoding"):
/// a type digit followed by the packet's data, e.g. `4hello` (message), `2` (ping),
/// `0{"sid":...}` (open). Binary packets (a `b` prefix and base64 on polling, binary frames
/// on WebSocket) are refused with `EngineIOError.binaryNotSupported`.
public struct EngineIOPacket: Equatable, Sendable {
    /// The packet types, by their digit.
    public enum Kind: UInt8, Sendable, CaseIterable {
        case open = 0x30, close, ping, pong, message, upgrade, noop
    }

    public var kind: Kind
    /// What follows the type digit (UTF-8 text; may be empty).
    public var data: [UInt8]

    public init(_ kind: Kind, _ data: [UInt8] = []) {
        self.kind = kind
        self.data = data
    }

    public init(_ kind: Kind, text: String) {
        self.init(kind, Array(text.utf8))
    }

    /// The packet in `bytes` (one whole packet: a WebSocket text message, or one record of
    /// a polling payload).
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(EngineIOError) -> EngineIOPacket {
        guard let first = bytes.first else { throw .emptyPacket }
        if first == UInt8(ascii: "b") { throw .binaryNotSupported }
        guard let kind = Kind(rawValue: first) else { throw .unknownPacketType(first) }
        return EngineIOPacket(kind, Array(bytes.dropFirst()))
    }

    /// The text form: the type digit, then the data.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    /// Appends the text form to `out`.
    public func encode(into out: inout [UInt8]) {
        out.reserveCapacity(out.count + data.count + 1)
        out.append(kind.rawValue)
        out += data
    }
}
