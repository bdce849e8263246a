/// Strict decoder of server-to-client frames (RFC 6455 §5.2), with reassembly of
/// fragmented messages (§5.4). Everything a client must refuse is an error:
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
/// ```
///
/// RSV bits set (no extension is negotiated), MASK set (servers never mask), reserved
/// opcodes, fragmented or over-125-byte control frames, non-minimal length encodings, a
/// continuation with nothing to continue, a new data frame inside a fragmented message, and
/// messages over `maxMessageBytes`.
public struct FrameDecoder {
    /// What one complete frame or message amounts to. Payloads point into the caller's
    /// buffer (or the decoder's reassembly buffer) and are valid only inside the callback.
    public enum Event {
        case text(UnsafeRawBufferPointer)
        case binary(UnsafeRawBufferPointer)
        case ping(UnsafeRawBufferPointer)
        case pong
        /// A close frame; the status code when one was sent (§5.5.1).
        case close(code: UInt16?)
    }

    /// Largest message accepted, default 1 MiB: the benchmark's are 150 bytes.
    public let maxMessageBytes: Int
    /// The opcode (1 text, 2 binary) of the message being reassembled, if any.
    private var fragmentedOpcode: UInt8?
    private var fragments: [UInt8] = []

    public init(maxMessageBytes: Int = 1 << 20) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Decodes every complete frame at the front of `bytes`, calling `handle` for each
    /// complete message or control frame. Returns the number of bytes consumed; the rest is
    /// an incomplete frame to be offered again with more bytes after it.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, _ handle: (Event) -> Void) throws(FrameError) -> Int {
        var offset = 0
        while let frame = try Self.parseHeader(bytes, at: offset, maxPayload: maxMessageBytes) {
            let payload = UnsafeRawBufferPointer(rebasing: bytes[frame.payloadStart..<frame.payloadStart + frame.length])
            try handleFrame(opcode: frame.opcode, fin: frame.fin, payload: payload, handle)
            offset = frame.payloadStart + frame.length
        }
        return offset
    }

    private mutating func handleFrame(opcode: UInt8, fin: Bool, payload: UnsafeRawBufferPointer,
                                      _ handle: (Event) -> Void) throws(FrameError) {
        switch opcode {
        case 0x1, 0x2:
            // §5.4: the fragments of one message are not interleaved with another message.
            guard fragmentedOpcode == nil else { throw .expectedContinuation }
            if fin { return handle(opcode == 0x1 ? .text(payload) : .binary(payload)) }
            fragmentedOpcode = opcode
            fragments = Array(payload)
        case 0x0:
            guard let messageOpcode = fragmentedOpcode else { throw .unexpectedContinuation }
            guard fragments.count + payload.count <= maxMessageBytes else { throw .messageTooLarge }
            fragments.append(contentsOf: payload)
            guard fin else { return }
            fragmentedOpcode = nil
            let message = fragments
            fragments = []
            message.withUnsafeBytes { handle(messageOpcode == 0x1 ? .text($0) : .binary($0)) }
        case 0x8:
            // §5.5.1: a close body is empty or a 2-byte code plus a UTF-8 reason.
            guard payload.count != 1 else { throw .invalidClosePayload }
            handle(.close(code: payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil))
        case 0x9: handle(.ping(payload))
        case 0xA: handle(.pong)
        default: throw .reservedOpcode(opcode)
        }
    }

    /// One frame's header, once the whole frame has arrived.
    private struct Header {
        let fin: Bool
        let opcode: UInt8
        let payloadStart: Int
        let length: Int
    }

    /// The header of the frame at `offset` if the whole frame is in `bytes`; nil if more
    /// bytes are needed. Each rule is checked as soon as its bytes are there.
    private static func parseHeader(_ bytes: UnsafeRawBufferPointer, at offset: Int, maxPayload: Int) throws(FrameError) -> Header? {
        let available = bytes.count - offset
        guard available >= 2 else { return nil }
        let first = bytes[offset], second = bytes[offset + 1]
        let fin = first & 0x80 != 0, opcode = first & 0x0F
        // §5.2: RSV1-3 MUST be 0 unless an extension defines them; none was negotiated.
        guard first & 0x70 == 0 else { throw .reservedBitsSet }
        // §5.1: "A server MUST NOT mask any frames that it sends to the client."
        guard second & 0x80 == 0 else { throw .maskedFrame }
        guard (0x0...0x2).contains(opcode) || (0x8...0xA).contains(opcode) else { throw .reservedOpcode(opcode) }
        var length = Int(second & 0x7F)
        var headerBytes = 2
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            headerBytes = 4
            // §5.2: "the minimal number of bytes MUST be used to encode the length".
            guard length >= 126 else { throw .nonMinimalLength }
        } else if length == 127 {
            guard available >= 10 else { return nil }
            let wide = (2..<10).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[offset + $1]) }
            // §5.2: the most significant bit MUST be 0.
            guard wide >> 63 == 0 else { throw .lengthHighBitSet }
            guard wide > 0xFFFF else { throw .nonMinimalLength }
            guard wide <= UInt64(maxPayload) else { throw .messageTooLarge }
            length = Int(wide)
            headerBytes = 10
        }
        if opcode >= 0x8 {
            // §5.5: control frames have at most 125 payload bytes and MUST NOT be fragmented.
            guard length <= 125 else { throw .controlFrameTooLong }
            guard fin else { throw .fragmentedControlFrame }
        }
        guard length <= maxPayload else { throw .messageTooLarge }
        guard available >= headerBytes + length else { return nil }
        return Header(fin: fin, opcode: opcode, payloadStart: offset + headerBytes, length: length)
    }
}

/// A server frame a client must refuse (RFC 6455 §5).
public enum FrameError: Error, Equatable, Sendable {
    case reservedBitsSet
    case maskedFrame
    case reservedOpcode(UInt8)
    case nonMinimalLength
    case lengthHighBitSet
    case controlFrameTooLong
    case fragmentedControlFrame
    case unexpectedContinuation
    case expectedContinuation
    case invalidClosePayload
    case messageTooLarge
}
