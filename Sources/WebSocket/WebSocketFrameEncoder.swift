/// Writes WebSocket frames as bytes (RFC 6455 §5.2): server frames unmasked, and masked
/// client frames for test clients and load generators.
///
/// The base framing protocol, RFC 6455 §5.2:
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-------+-+-------------+-------------------------------+
/// |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
/// |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
/// |N|V|V|V|       |S|             |   (if payload len==126/127)   |
/// | |1|2|3|       |K|             |                               |
/// +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
/// |     Extended payload length continued, if payload len == 127  |
/// + - - - - - - - - - - - - - - - +-------------------------------+
/// |                               |Masking-key, if MASK set to 1  |
/// +-------------------------------+-------------------------------+
/// | Masking-key (continued)       |          Payload Data         |
/// +-------------------------------- - - - - - - - - - - - - - - - +
/// :                     Payload Data continued ...                :
/// + - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - +
/// |                     Payload Data continued ...                |
/// +---------------------------------------------------------------+
/// ```
///
/// Lengths use the shortest form (RFC 6455 §5.2: 0-125 in the 7 bits, up to 65535 in
/// 16 bits after 126, otherwise 64 bits after 127), all in network byte order.
public enum WebSocketFrameEncoder {
    /// The largest header: 2 bytes, 8 of extended length and 4 of masking key.
    public static let maxHeaderBytes = 14

    /// Appends a frame header for a payload of `payloadBytes` bytes to `out`.
    ///
    /// Use it alone to send a payload that is already in memory elsewhere (a shared
    /// broadcast body) with `writev`; the payload must then already be masked if
    /// `maskingKey` is given.
    public static func writeHeader(
        opcode: WebSocketFrame.Opcode, payloadBytes: Int, fin: Bool = true, rsv1: Bool = false,
        maskingKey: WebSocketMaskingKey? = nil, into out: inout [UInt8]
    ) {
        precondition(payloadBytes >= 0, "a payload cannot have a negative length")
        precondition(!opcode.isControl || (fin && payloadBytes <= 125), "RFC 6455 §5.5: invalid control frame")
        out.append((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode.rawValue)
        let maskBit: UInt8 = maskingKey == nil ? 0 : 0x80
        switch payloadBytes {
        case 0...125:
            out.append(maskBit | UInt8(payloadBytes))
        case 126...0xFFFF:
            out.append(maskBit | 126)
            out.append(UInt8(payloadBytes >> 8))
            out.append(UInt8(truncatingIfNeeded: payloadBytes))
        default:
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: UInt64(payloadBytes) >> UInt64(shift)))
            }
        }
        if let key = maskingKey {
            out.append(key.bytes.0)
            out.append(key.bytes.1)
            out.append(key.bytes.2)
            out.append(key.bytes.3)
        }
    }

    /// Appends a whole frame, header and payload, to `out`; the payload is masked with
    /// `maskingKey` when one is given (clients only, RFC 6455 §5.3).
    public static func encode(
        opcode: WebSocketFrame.Opcode, payload: [UInt8], fin: Bool = true, rsv1: Bool = false,
        maskingKey: WebSocketMaskingKey? = nil, into out: inout [UInt8]
    ) {
        writeHeader(opcode: opcode, payloadBytes: payload.count, fin: fin, rsv1: rsv1, maskingKey: maskingKey, into: &out)
        guard let key = maskingKey else {
            out.append(contentsOf: payload)
            return
        }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: payload.count))
        payload.withUnsafeBytes { source in
            out.withUnsafeMutableBytes { buffer in
                key.apply(source, into: UnsafeMutableRawBufferPointer(rebasing: buffer[start...]))
            }
        }
    }

    /// Appends a close frame with `code` and `reason` (RFC 6455 §5.5.1): the code in
    /// network byte order followed by the reason's UTF-8.
    public static func encodeClose(
        code: CloseCode, reason: CloseReason, maskingKey: WebSocketMaskingKey? = nil, into out: inout [UInt8]
    ) {
        var payload: [UInt8] = [UInt8(code.rawValue >> 8), UInt8(truncatingIfNeeded: code.rawValue)]
        payload.append(contentsOf: reason.text.utf8)
        encode(opcode: .close, payload: payload, maskingKey: maskingKey, into: &out)
    }

    /// Appends the close frame that fails a connection for `error`: its close code and
    /// the reason from the `CloseReason` table (STYLE §5).
    public static func encodeClose(for error: WebSocketProtocolError, into out: inout [UInt8]) {
        encodeClose(code: error.closeCode, reason: error.reason, into: &out)
    }

    /// Appends a close frame with no payload (no status code).
    public static func encodeEmptyClose(maskingKey: WebSocketMaskingKey? = nil, into out: inout [UInt8]) {
        encode(opcode: .close, payload: [], maskingKey: maskingKey, into: &out)
    }

    /// Appends a ping carrying `payload`, at most 125 bytes.
    public static func encodePing(payload: [UInt8] = [], maskingKey: WebSocketMaskingKey? = nil, into out: inout [UInt8]) {
        encode(opcode: .ping, payload: payload, maskingKey: maskingKey, into: &out)
    }

    /// Appends a pong carrying `payload`, at most 125 bytes; RFC 6455 §5.5.3: a pong
    /// answering a ping echoes the ping's payload.
    public static func encodePong(payload: [UInt8], maskingKey: WebSocketMaskingKey? = nil, into out: inout [UInt8]) {
        encode(opcode: .pong, payload: payload, maskingKey: maskingKey, into: &out)
    }
}
