/// Puts client frames back together into messages (RFC 6455 §5.4), inflating compressed
/// ones (RFC 7692 §6.2) and validating text as UTF-8 as the bytes arrive.
///
/// Policy, each violation failing the connection with its code:
/// - a continuation frame with no message open, or a text/binary frame while one is open,
///   is 1002 (RFC 6455 §5.4); control frames may come between fragments;
/// - a message whose bytes (inflated bytes, if compressed) pass `maxMessageBytes` is 1009,
///   detected while fragments arrive or while inflating, not after;
/// - invalid UTF-8 in a text message is 1007 at the first bad byte, even in the middle of
///   a fragmented message (RFC 6455 §8.1), and a text message may not end mid-character;
/// - close frame payloads follow RFC 6455 §5.5.1 and §7.4 (see `parseClose`).
///
/// One assembler per connection, fed frames in arrival order; it holds a reference to the
/// connection's `Inflater`, so a copy must not be used alongside the original.
public struct WebSocketMessageAssembler {
    /// A fragmented message being received.
    private struct OpenMessage {
        var isText: Bool
        var isCompressed: Bool
        var bytes: [UInt8]
        var validator = UTF8Validator()
    }

    /// The largest message accepted, in bytes (`WebSocketLimits.maxMessageBytes`).
    public let maxMessageBytes: Int
    /// The connection's inflater when permessage-deflate was negotiated, otherwise nil.
    private let inflater: Inflater?
    /// The message whose fragments are arriving, if any.
    private var open: OpenMessage?

    /// An assembler for one connection; pass the inflater if permessage-deflate was agreed.
    public init(limits: WebSocketLimits, inflater: Inflater? = nil) {
        maxMessageBytes = limits.maxMessageBytes
        self.inflater = inflater
    }

    /// Whether a fragmented message has started and not yet ended.
    public var isMessageOpen: Bool { open != nil }

    /// Takes the next frame; returns a message or control event when one is complete, or
    /// nil when the frame was a fragment of a message still open.
    public mutating func frameReceived(_ frame: WebSocketFrame) throws(WebSocketProtocolError) -> WebSocketMessage? {
        switch frame.opcode {
        case .ping: return .ping(frame.payload)
        case .pong: return .pong(frame.payload)
        case .close: return try Self.parseClose(frame.payload)
        case .text, .binary:
            // RFC 6455 §5.4: the fragments of one message are never interleaved with another.
            guard open == nil else { throw .expectedContinuation }
            if frame.fin && !frame.rsv1 { return try wholeMessage(frame) }
            if frame.rsv1 && inflater == nil { throw .reservedBitsSet }
            var message = OpenMessage(isText: frame.opcode == .text, isCompressed: frame.rsv1, bytes: [])
            try append(frame.payload, to: &message)
            return try finishIfFinal(message, fin: frame.fin)
        case .continuation:
            guard var message = open else { throw .unexpectedContinuation }
            open = nil
            try append(frame.payload, to: &message)
            return try finishIfFinal(message, fin: frame.fin)
        }
    }

    /// An unfragmented, uncompressed message: its payload is used as is, without a copy.
    private func wholeMessage(_ frame: WebSocketFrame) throws(WebSocketProtocolError) -> WebSocketMessage {
        if frame.payload.count > maxMessageBytes { throw .messageTooBig }
        guard frame.opcode == .text else { return .binary(frame.payload) }
        var validator = UTF8Validator()
        guard validator.validate(frame.payload), validator.isComplete else { throw .invalidUTF8 }
        return .text(frame.payload)
    }

    /// Adds one fragment's payload to `message`, inflating it if the message is compressed.
    private func append(_ payload: [UInt8], to message: inout OpenMessage) throws(WebSocketProtocolError) {
        let start = message.bytes.count
        if message.isCompressed, let inflater {
            try inflater.inflate(payload, into: &message.bytes, maxOutputBytes: maxMessageBytes)
        } else {
            if payload.count > maxMessageBytes - start { throw .messageTooBig }
            message.bytes.append(contentsOf: payload)
        }
        try validateText(of: &message, from: start)
    }

    /// Validates the bytes of a text message from `start` on, so a bad sequence fails the
    /// connection at the fragment that carries it.
    private func validateText(of message: inout OpenMessage, from start: Int) throws(WebSocketProtocolError) {
        guard message.isText, start < message.bytes.count else { return }
        let isValid = message.bytes.withUnsafeBytes { message.validator.validate(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        if !isValid { throw .invalidUTF8 }
    }

    /// Keeps the message open after a non-final fragment, or completes it after the last.
    private mutating func finishIfFinal(_ message: OpenMessage, fin: Bool) throws(WebSocketProtocolError) -> WebSocketMessage? {
        var message = message
        guard fin else {
            open = message
            return nil
        }
        if message.isCompressed, let inflater {
            let start = message.bytes.count
            try inflater.finishMessage(into: &message.bytes, maxOutputBytes: maxMessageBytes)
            try validateText(of: &message, from: start)
        }
        guard message.isText else { return .binary(message.bytes) }
        // RFC 6455 §8.1: the whole text must be valid UTF-8, so it cannot end mid-character.
        guard message.validator.isComplete else { throw .invalidUTF8 }
        return .text(message.bytes)
    }
}

@available(*, unavailable)
extension WebSocketMessageAssembler: Sendable {}
