/// One WebSocket frame (RFC 6455 §5.2) with its payload already unmasked.
///
/// The wire layout is drawn once, on `WebSocketFrameEncoder`.
public struct WebSocketFrame: Sendable, Equatable {
    /// The frame's opcode (RFC 6455 §5.2, §11.8). Reserved values are not representable:
    /// the decoder rejects them with 1002.
    public enum Opcode: UInt8, Sendable, Equatable, CaseIterable {
        /// 0x0: a later fragment of a message.
        case continuation = 0x0
        /// 0x1: the first (or only) frame of a UTF-8 text message.
        case text = 0x1
        /// 0x2: the first (or only) frame of a binary message.
        case binary = 0x2
        /// 0x8: the closing handshake.
        case close = 0x8
        /// 0x9: a ping, to be answered with a pong carrying the same payload.
        case ping = 0x9
        /// 0xA: a pong, answering a ping or sent unsolicited as a heartbeat.
        case pong = 0xA

        /// Whether this is a control opcode (the high bit of the nibble set, RFC 6455 §5.5).
        public var isControl: Bool { rawValue & 0x8 != 0 }
    }

    /// Whether this is the final fragment of its message.
    public var fin: Bool
    /// RSV1; with permessage-deflate it marks the first frame of a compressed message
    /// (RFC 7692 §6).
    public var rsv1: Bool
    /// RSV2; always false in an accepted frame (no extension here defines it).
    public var rsv2: Bool
    /// RSV3; always false in an accepted frame (no extension here defines it).
    public var rsv3: Bool
    /// What the frame carries.
    public var opcode: Opcode
    /// The application data, unmasked.
    public var payload: [UInt8]

    /// A frame with these fields.
    public init(
        fin: Bool = true, rsv1: Bool = false, rsv2: Bool = false, rsv3: Bool = false,
        opcode: Opcode, payload: [UInt8] = []
    ) {
        self.fin = fin
        self.rsv1 = rsv1
        self.rsv2 = rsv2
        self.rsv3 = rsv3
        self.opcode = opcode
        self.payload = payload
    }
}
