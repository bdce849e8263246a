/// The outcome of feeding bytes to `WebSocketFrameDecoder`.
public enum WebSocketFrameDecodeResult: Sendable, Equatable {
    /// The frame is not complete yet; call again when the buffer has grown.
    case needMoreBytes
    /// A whole frame, which took the first `consumed` bytes of the buffer.
    case frame(WebSocketFrame, consumed: Int)
}

/// Incremental decoder of client frames (RFC 6455 §5.2), in the style of `HTTPHeadParser`.
///
/// The caller owns the bytes: each call gets everything received since the end of the
/// previous frame, and the buffer only grows between calls until a frame comes back, after
/// which the caller drops `consumed` bytes. Any split works, down to one byte per call.
///
/// Policy: the header is validated as soon as each part of it arrives, so a bad frame is
/// refused before its payload is buffered: reserved opcodes and bits, an unmasked client
/// frame, a fragmented or overlong control frame (after two bytes), a 64-bit length with
/// the top bit set, or a payload over `maxFrameBytes` (as soon as the length is known).
/// Non-minimal length encodings are accepted: RFC 6455 §5.2 says senders MUST use the
/// minimal form but asks nothing of receivers, and rejecting them protects nothing.
public struct WebSocketFrameDecoder: Sendable {
    /// A validated frame header.
    struct Header: Sendable {
        var fin: Bool
        var rsv1: Bool
        var opcode: WebSocketFrame.Opcode
        var maskingKey: WebSocketMaskingKey?
        var headerBytes: Int
        var payloadBytes: Int
    }

    /// The largest payload accepted, in bytes (`WebSocketLimits.maxFrameBytes`).
    public let maxFrameBytes: Int
    /// Whether RSV1 may be set on text and binary frames (permessage-deflate negotiated).
    public let allowsCompressedFrames: Bool
    /// Whether frames must be masked: true for a server reading a client (RFC 6455 §5.1);
    /// false (masking optional) only for test clients reading server frames.
    public let requiresMaskedFrames: Bool
    /// The header of the frame being received, once it is complete.
    private var header: Header?

    /// A decoder for one connection.
    public init(limits: WebSocketLimits, allowsCompressedFrames: Bool = false, requiresMaskedFrames: Bool = true) {
        maxFrameBytes = limits.maxFrameBytes
        self.allowsCompressedFrames = allowsCompressedFrames
        self.requiresMaskedFrames = requiresMaskedFrames
    }

    /// The size in bytes of the frame being received (header plus payload), once its header
    /// is complete; a connection can reserve that much read buffer.
    public var pendingFrameBytes: Int? {
        header.map { $0.headerBytes + $0.payloadBytes }
    }

    /// Decodes one frame from the front of `buffer`, or reports that more bytes are needed.
    ///
    /// After an error the connection must be failed; the decoder is not reusable.
    public mutating func decode(_ buffer: UnsafeRawBufferPointer) throws(WebSocketProtocolError) -> WebSocketFrameDecodeResult {
        if header == nil {
            guard let parsed = try parseHeader(buffer) else { return .needMoreBytes }
            header = parsed
        }
        guard let header, buffer.count >= header.headerBytes + header.payloadBytes else { return .needMoreBytes }
        let source = UnsafeRawBufferPointer(rebasing: buffer[header.headerBytes..<header.headerBytes + header.payloadBytes])
        let payload = [UInt8](unsafeUninitializedCapacity: header.payloadBytes) { storage, count in
            let destination = UnsafeMutableRawBufferPointer(storage)
            if let key = header.maskingKey {
                key.apply(source, into: destination)
            } else {
                destination.copyMemory(from: source)
            }
            count = header.payloadBytes
        }
        self.header = nil
        let frame = WebSocketFrame(fin: header.fin, rsv1: header.rsv1, opcode: header.opcode, payload: payload)
        return .frame(frame, consumed: header.headerBytes + header.payloadBytes)
    }

    /// Parses and validates the header at the front of `buffer`; nil if it is incomplete.
    private func parseHeader(_ buffer: UnsafeRawBufferPointer) throws(WebSocketProtocolError) -> Header? {
        guard buffer.count >= 2 else { return nil }
        let first = buffer[0], second = buffer[1]
        let fin = first & 0x80 != 0, rsv1 = first & 0x40 != 0
        guard let opcode = WebSocketFrame.Opcode(rawValue: first & 0x0F) else {
            // RFC 6455 §5.2: reserved opcodes MUST fail the connection.
            throw .reservedOpcode(first & 0x0F)
        }
        // RFC 6455 §5.2: a nonzero RSV bit with no extension defining it MUST fail the
        // connection. RFC 7692 §6: permessage-deflate defines RSV1 on the first frame of a
        // data message only, never on control or continuation frames.
        if first & 0x30 != 0 { throw .reservedBitsSet }
        if rsv1 && !(allowsCompressedFrames && (opcode == .text || opcode == .binary)) { throw .reservedBitsSet }
        let isMasked = second & 0x80 != 0
        // RFC 6455 §5.1: a server MUST close the connection on an unmasked client frame.
        if requiresMaskedFrames && !isMasked { throw .unmaskedFrame }
        let shortLength = Int(second & 0x7F)
        if opcode.isControl {
            // RFC 6455 §5.5: control frames MUST NOT be fragmented and carry at most 125 bytes.
            if !fin { throw .fragmentedControlFrame }
            if shortLength > 125 { throw .controlFrameTooLong }
        }
        guard let (payloadBytes, lengthEnd) = try parseLength(shortLength, buffer) else { return nil }
        let headerBytes = lengthEnd + (isMasked ? 4 : 0)
        guard buffer.count >= headerBytes else { return nil }
        let key = isMasked
            ? WebSocketMaskingKey(buffer[lengthEnd], buffer[lengthEnd + 1], buffer[lengthEnd + 2], buffer[lengthEnd + 3])
            : nil
        return Header(fin: fin, rsv1: rsv1, opcode: opcode, maskingKey: key, headerBytes: headerBytes,
                      payloadBytes: payloadBytes)
    }

    /// Reads the 7-bit, 16-bit or 64-bit payload length (RFC 6455 §5.2) and checks it
    /// against `maxFrameBytes`; returns the length and where it ends, or nil if incomplete.
    private func parseLength(_ shortLength: Int, _ buffer: UnsafeRawBufferPointer) throws(WebSocketProtocolError) -> (Int, Int)? {
        let length: UInt64, end: Int
        switch shortLength {
        case 126:
            guard buffer.count >= 4 else { return nil }
            length = UInt64(buffer[2]) << 8 | UInt64(buffer[3])
            end = 4
        case 127:
            guard buffer.count >= 10 else { return nil }
            length = (2..<10).reduce(0) { $0 << 8 | UInt64(buffer[$1]) }
            // RFC 6455 §5.2: the most significant bit of a 64-bit length MUST be 0.
            if length >> 63 != 0 { throw .invalidPayloadLength }
            end = 10
        default:
            length = UInt64(shortLength)
            end = 2
        }
        if length > UInt64(maxFrameBytes) { throw .frameTooBig(announcedBytes: length) }
        return (Int(length), end)
    }
}
