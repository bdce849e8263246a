/// One client handshake's `Sec-WebSocket-Key` and the `Sec-WebSocket-Accept` the server
/// must answer with (RFC 6455 §4.1, §4.2.2).
public struct HandshakeKey: Sendable, Equatable {
    /// RFC 6455 §1.3: the GUID appended to the key before hashing.
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The base64 of 16 random bytes, sent in `Sec-WebSocket-Key`.
    public let key: String
    /// base64(SHA-1(key + GUID)).
    public let expectedAccept: String

    /// The key for these 16 nonce bytes (RFC 6455 §4.1: "randomly selected 16-byte value").
    public init(nonce: [UInt8]) {
        precondition(nonce.count == 16, "a WebSocket nonce is 16 bytes")
        self.init(key: Base64.encode(nonce))
    }

    /// The pair for an already-encoded key (the RFC's own examples use this).
    public init(key: String) {
        self.key = key
        expectedAccept = Base64.encode(SHA1.digest(Array((key + Self.guid).utf8)))
    }
}
