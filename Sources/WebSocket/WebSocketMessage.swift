/// What a client sent, once frames are put back together: a whole message or a control
/// frame (control frames may arrive between the fragments of a message, RFC 6455 §5.4).
public enum WebSocketMessage: Sendable, Equatable {
    /// A text message: its UTF-8 bytes, already validated (and inflated if compressed).
    case text([UInt8])
    /// A binary message (inflated if compressed).
    case binary([UInt8])
    /// A ping; answer with a pong carrying the same payload (RFC 6455 §5.5.2).
    case ping([UInt8])
    /// A pong (RFC 6455 §5.5.3).
    case pong([UInt8])
    /// A close frame: the code (nil when the payload was empty) and the UTF-8 reason
    /// (RFC 6455 §5.5.1). Answer with a close frame, then close the connection.
    case close(code: CloseCode?, reason: String)
}
