/// The single table of close reasons: every reason phrase this server puts in a close
/// frame is a constant here (STYLE §2), so clients and logs see a fixed set of strings.
///
/// RFC 6455 §5.5: a control frame's payload is at most 125 bytes, two of which are the
/// code, so a reason is at most 123 bytes of UTF-8; the initialiser checks it.
public struct CloseReason: Sendable, Hashable, CustomStringConvertible {
    /// The reason phrase, at most 123 bytes of UTF-8.
    public let text: String

    private init(_ text: String) {
        precondition(text.utf8.count <= 123, "a close reason must fit in a control frame")
        self.text = text
    }

    /// The reason phrase.
    public var description: String { text }

    // MARK: Ordinary closes

    /// Sent with 1000 when the server ends a connection normally (reply to a close).
    public static let normal = CloseReason("")
    /// Sent with 1001 when the server shuts down.
    public static let serverShuttingDown = CloseReason("server shutting down")
    /// Sent with 1013 when a subscriber's outbound queue passes its hard limit.
    public static let outboundLimitExceeded = CloseReason("too slow: outbound queue over its limit")
    /// Sent with 1001 when an idle connection has not answered its pings.
    public static let pongTimeout = CloseReason("no pong received")
    /// Sent with 1011 when the server fails for a reason of its own.
    public static let internalError = CloseReason("internal server error")
    /// Sent with 1008 when a message breaks the endpoint's rules.
    public static let policyViolation = CloseReason("message violates policy")

    // MARK: Protocol violations (WebSocketProtocolError)

    /// 1002: a client frame without the MASK bit (RFC 6455 §5.1).
    public static let unmaskedFrame = CloseReason("client frames must be masked")
    /// 1002: an RSV bit set with no extension that defines it (RFC 6455 §5.2).
    public static let reservedBitsSet = CloseReason("reserved bits set")
    /// 1002: an opcode RFC 6455 §5.2 reserves.
    public static let reservedOpcode = CloseReason("reserved opcode")
    /// 1002: a control frame without FIN (RFC 6455 §5.5).
    public static let fragmentedControlFrame = CloseReason("control frames must not be fragmented")
    /// 1002: a control frame with more than 125 bytes of payload (RFC 6455 §5.5).
    public static let controlFrameTooLong = CloseReason("control frame payload over 125 bytes")
    /// 1002: a 64-bit payload length with its most significant bit set (RFC 6455 §5.2).
    public static let invalidPayloadLength = CloseReason("invalid payload length")
    /// 1002: a continuation frame with no fragmented message open (RFC 6455 §5.4).
    public static let unexpectedContinuation = CloseReason("continuation frame without a message")
    /// 1002: a new text or binary frame while a fragmented message is open (RFC 6455 §5.4).
    public static let expectedContinuation = CloseReason("expected a continuation frame")
    /// 1002: a close frame with a one-byte payload (RFC 6455 §5.5.1).
    public static let invalidClosePayload = CloseReason("close frame payload of one byte")
    /// 1002: a close frame with a code that may not be sent (RFC 6455 §7.4).
    public static let invalidCloseCode = CloseReason("invalid close code")
    /// 1003: a message of a type this endpoint does not accept.
    public static let unsupportedData = CloseReason("message type not accepted here")
    /// 1007: a text message or close reason that is not valid UTF-8 (RFC 6455 §8.1).
    public static let invalidUTF8 = CloseReason("invalid UTF-8")
    /// 1007: a compressed message that does not inflate (RFC 7692 §6.2).
    public static let invalidCompressedData = CloseReason("invalid compressed data")
    /// 1009: a frame longer than the server accepts.
    public static let frameTooBig = CloseReason("frame too big")
    /// 1009: a message longer than the server accepts (after inflation, if compressed).
    public static let messageTooBig = CloseReason("message too big")
}
