/// The polling transport's payload: packets joined by the record separator `\x1e`
/// (engine.io-protocol v4, "Payload encoding"), e.g. `4hello\x1e2\x1e4world`.
public enum EngineIOPayload {
    /// The record separator between packets.
    public static let separator: UInt8 = 0x1E

    /// Joins encoded packets into one payload.
    public static func encode(_ packets: [EngineIOPacket]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, packet) in packets.enumerated() {
            if index > 0 { out.append(separator) }
            packet.encode(into: &out)
        }
        return out
    }

    /// The packets of a whole payload (a POST body), refusing one longer than `maxPayload`.
    public static func decode(_ bytes: [UInt8], maxPayload: Int) throws(EngineIOError) -> [EngineIOPacket] {
        var reader = EngineIOPayloadReader(maxPayload: maxPayload)
        var packets = try reader.consume(bytes[...])
        packets += try reader.finish()
        return packets
    }
}

/// Reads a polling payload as its bytes stream in: `consume` returns each packet as soon as
/// the separator after it arrives, `finish` the last one. Past `maxPayload` bytes in all it
/// throws `payloadTooLarge` at once, without waiting for the end. A value type with no I/O.
public struct EngineIOPayloadReader: Sendable {
    public let maxPayload: Int
    private var current: [UInt8] = []
    private var total = 0

    public init(maxPayload: Int) {
        self.maxPayload = maxPayload
    }

    /// Takes the next bytes; returns the packets they completed.
    public mutating func consume(_ bytes: ArraySlice<UInt8>) throws(EngineIOError) -> [EngineIOPacket] {
        total += bytes.count
        guard total <= maxPayload else { throw .payloadTooLarge(limit: maxPayload) }
        var packets: [EngineIOPacket] = []
        var start = bytes.startIndex
        while let index = bytes[start...].firstIndex(of: EngineIOPayload.separator) {
            current += bytes[start..<index]
            packets.append(try takePacket())
            start = index + 1
        }
        current += bytes[start...]
        return packets
    }

    /// The payload ended: returns its last packet.
    public mutating func finish() throws(EngineIOError) -> [EngineIOPacket] {
        if total == 0 { return [] }
        return [try takePacket()]
    }

    private mutating func takePacket() throws(EngineIOError) -> EngineIOPacket {
        defer { current.removeAll(keepingCapacity: true) }
        guard String(validating: current, as: UTF8.self) != nil else { throw .invalidUTF8 }
        return try EngineIOPacket.decode(current)
    }
}
