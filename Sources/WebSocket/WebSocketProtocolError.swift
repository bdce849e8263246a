/// Everything a peer can do wrong at the WebSocket layer; each case fails the connection
/// with a close code and a reason from `CloseReason` (RFC 6455 §7.1.7).
///
/// `closeCode` and `reason` are the one mapping from error to wire (STYLE §5, P9): the
/// connection sends `WebSocketFrameEncoder.encodeClose(for:)` and closes.
public enum WebSocketProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A client frame arrived without the MASK bit (RFC 6455 §5.1).
    case unmaskedFrame
    /// RSV1, RSV2 or RSV3 was set where no negotiated extension defines it.
    case reservedBitsSet
    /// The opcode was one of 0x3-0x7 or 0xB-0xF.
    case reservedOpcode(UInt8)
    /// A control frame had FIN clear.
    case fragmentedControlFrame
    /// A control frame announced more than 125 bytes of payload.
    case controlFrameTooLong
    /// A 64-bit payload length had its most significant bit set.
    case invalidPayloadLength
    /// A frame announced more than `WebSocketLimits.maxFrameBytes` of payload.
    case frameTooBig(announcedBytes: UInt64)
    /// A message grew past `WebSocketLimits.maxMessageBytes` (after inflation, if compressed).
    case messageTooBig
    /// A continuation frame arrived with no fragmented message open.
    case unexpectedContinuation
    /// A text or binary frame arrived while a fragmented message was still open.
    case expectedContinuation
    /// A close frame's payload was exactly one byte long.
    case invalidClosePayload
    /// A close frame carried a code that may not be sent (RFC 6455 §7.4).
    case invalidCloseCode(UInt16)
    /// A text message or close reason was not valid UTF-8.
    case invalidUTF8
    /// A compressed message did not inflate.
    case invalidCompressedData
    /// The endpoint does not accept this kind of message (for example binary on a JSON-only
    /// endpoint); the connection handler raises it, the codec never does.
    case unsupportedData

    /// The close code to send (RFC 6455 §7.4.1).
    public var closeCode: CloseCode {
        switch self {
        case .unmaskedFrame, .reservedBitsSet, .reservedOpcode, .fragmentedControlFrame,
             .controlFrameTooLong, .invalidPayloadLength, .unexpectedContinuation,
             .expectedContinuation, .invalidClosePayload, .invalidCloseCode:
            .protocolError
        case .unsupportedData: .unsupportedData
        case .invalidUTF8, .invalidCompressedData: .invalidPayloadData
        case .frameTooBig, .messageTooBig: .messageTooBig
        }
    }

    /// The reason phrase to send with `closeCode`.
    public var reason: CloseReason {
        switch self {
        case .unmaskedFrame: .unmaskedFrame
        case .reservedBitsSet: .reservedBitsSet
        case .reservedOpcode: .reservedOpcode
        case .fragmentedControlFrame: .fragmentedControlFrame
        case .controlFrameTooLong: .controlFrameTooLong
        case .invalidPayloadLength: .invalidPayloadLength
        case .frameTooBig: .frameTooBig
        case .messageTooBig: .messageTooBig
        case .unexpectedContinuation: .unexpectedContinuation
        case .expectedContinuation: .expectedContinuation
        case .invalidClosePayload: .invalidClosePayload
        case .invalidCloseCode: .invalidCloseCode
        case .invalidUTF8: .invalidUTF8
        case .invalidCompressedData: .invalidCompressedData
        case .unsupportedData: .unsupportedData
        }
    }

    /// For logs only: the reason plus the offending value where there is one.
    public var description: String {
        switch self {
        case .reservedOpcode(let opcode): "\(reason.text) (0x\(String(opcode, radix: 16)))"
        case .frameTooBig(let bytes): "\(reason.text) (\(bytes) bytes announced)"
        case .invalidCloseCode(let code): "\(reason.text) (\(code))"
        default: reason.text
        }
    }
}
