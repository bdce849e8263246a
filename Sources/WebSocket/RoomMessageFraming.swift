import Synchronization

/// Frames a room message once, as a text frame, and compresses it once for the clients that
/// negotiated permessage-deflate (DESIGN §1.4). Thread-safe: publishers on any thread share
/// one deflater behind a lock.
public final class RoomMessageFraming: Sendable {
    /// Messages shorter than this are sent uncompressed to everyone: deflate's own
    /// overhead would make them bigger. Default 64 bytes.
    public static let compressionThresholdBytes = 64
    private let deflater = Mutex(Deflater())

    public init() {}

    /// The message for `json` with the given delivery class; `eventID` and `eventName`
    /// become the Server-Sent Event's `id:` and `event:` lines when given, and `eventID`
    /// with `room` the message's `origin` (so no connection sends a room's `seq` twice).
    public func make(_ json: [UInt8], delivery: Delivery, eventID: Int? = nil, eventName: String? = nil,
                     room: RoomName? = nil, layeredPacket: [UInt8]? = nil) -> RoomMessage {
        var plain: [UInt8] = []
        plain.reserveCapacity(json.count + 10)
        WebSocketFrameEncoder.encode(opcode: .text, payload: json, into: &plain)
        var deflated: SharedFrame?
        if json.count >= Self.compressionThresholdBytes {
            let compressed = deflater.withLock { $0.compress(json) }
            if compressed.count < json.count {
                var frame: [UInt8] = []
                frame.reserveCapacity(compressed.count + 10)
                WebSocketFrameEncoder.encode(opcode: .text, payload: compressed, rsv1: true, into: &frame)
                deflated = SharedFrame(frame)
            }
        }
        let stream = Self.eventStreamBytes(json, id: eventID, name: eventName)
        let origin = room.flatMap { room in eventID.map { RoomMessage.Origin(room: room, sequence: $0) } }
        return RoomMessage(plain: SharedFrame(plain), deflated: deflated, eventStream: SharedFrame(stream), delivery: delivery,
                           origin: origin, layered: layeredPacket.map(RoomMessage.LayeredForm.init(packet:)))
    }

    /// One Server-Sent Event (WHATWG HTML §9.2): each line of the data gets its own
    /// `data:` line, so a payload with newlines stays one event.
    static func eventStreamBytes(_ data: [UInt8], id: Int?, name: String?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 48)
        if let id { out += Array("id: \(id)\n".utf8) }
        if let name { out += Array("event: \(name)\n".utf8) }
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            out += Array("data: ".utf8)
            out += line.filter { $0 != 0x0D }
            out.append(0x0A)
        }
        out.append(0x0A)
        return out
    }
}
