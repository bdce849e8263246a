/// A room's name (`model:minilm`, `models`): an opaque string to this layer, which knows
/// nothing of models.
public struct RoomName: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { value }
}

/// Bytes framed once and shared by every connection they are sent to (uWS's prepared
/// message): queues hold references, never copies.
///
/// The bytes live in memory this object allocates once and never changes, so a pointer
/// to them stays valid for as long as the object is alive (what `writev` needs).
// @unchecked Sendable: safe because `buffer` is written once in `init` and only read after;
// the memory is freed in `deinit`, when no reference (and so no reader) is left.
public final class SharedFrame: @unchecked Sendable {  // safe because: see the comment above
    /// The complete frame: header and payload. Immutable after `init`.
    public let buffer: UnsafeRawBufferPointer

    public init(_ bytes: [UInt8]) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        buffer = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[..<bytes.count])
    }

    deinit {
        UnsafeMutableRawPointer(mutating: buffer.baseAddress)?.deallocate()
    }

    /// Length in bytes.
    public var count: Int { buffer.count }
}

/// How a queued message may be treated when its connection falls behind.
public enum Delivery: Sendable, Equatable {
    /// Never dropped or replaced (lifecycle events, snapshots, admin messages).
    case mustDeliver
    /// Past the soft limit, a newer message with the same key replaces a queued one
    /// (progress of one model: only the latest matters).
    case replaceable(key: String)
}

/// One message for a room, framed once: plain, and compressed for connections that
/// negotiated permessage-deflate (no context takeover, so the bytes are the same for all).
public struct RoomMessage: Sendable {
    /// The uncompressed text frame.
    public let plain: SharedFrame
    /// The compressed frame (RSV1 set), when compression pays off; nil otherwise.
    public let deflated: SharedFrame?
    /// The same message as a Server-Sent Event (`id:`, `event:`, `data:` lines), for
    /// event-stream subscribers of the same rooms.
    public let eventStream: SharedFrame
    /// Whether it may be replaced when a subscriber is slow.
    public let delivery: Delivery
    /// The room sequence number the message carries, when it has one: a connection drops a
    /// message whose number is not above the last it sent for that room (an event already
    /// covered by the snapshot or replay it got on joining), so `seq` never repeats.
    public let origin: Origin?
    /// The same message in a protocol layered on WebSocket (Socket.IO's Engine.IO message
    /// packet), made once like the rest; nil when the message has none (connections of such a
    /// protocol then skip it).
    public let layered: LayeredForm?

    /// A message in a protocol carried over WebSocket text messages and over HTTP polling:
    /// its text (`packet`) and that text as one uncompressed WebSocket text frame (`frame`).
    public struct LayeredForm: Sendable {
        public let packet: SharedFrame
        public let frame: SharedFrame

        public init(packet: [UInt8]) {
            self.packet = SharedFrame(packet)
            var framed: [UInt8] = []
            framed.reserveCapacity(packet.count + 10)
            WebSocketFrameEncoder.encode(opcode: .text, payload: packet, into: &framed)
            frame = SharedFrame(framed)
        }
    }

    /// A room and a sequence number in it.
    public struct Origin: Sendable, Equatable {
        public let room: RoomName
        public let sequence: Int

        public init(room: RoomName, sequence: Int) {
            self.room = room
            self.sequence = sequence
        }
    }

    public init(plain: SharedFrame, deflated: SharedFrame?, eventStream: SharedFrame, delivery: Delivery,
                origin: Origin? = nil, layered: LayeredForm? = nil) {
        self.plain = plain
        self.deflated = deflated
        self.eventStream = eventStream
        self.delivery = delivery
        self.origin = origin
        self.layered = layered
    }

    /// The frame for a connection, by whether it negotiated compression.
    public func frame(compressed: Bool) -> SharedFrame {
        compressed ? (deflated ?? plain) : plain
    }
}
