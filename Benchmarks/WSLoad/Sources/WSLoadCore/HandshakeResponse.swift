/// Checks a server's answer to the opening handshake, as a client must (RFC 6455 §4.1,
/// "the client MUST validate the server's response as follows").
public enum HandshakeResponse {
    /// What the bytes read so far come to.
    public enum Outcome: Equatable, Sendable {
        /// The head is not complete yet.
        case needMoreBytes
        /// A valid `101`; the head was `headBytes` long and frames may follow it.
        case accepted(headBytes: Int)
        /// The server did not complete the handshake correctly.
        case rejected(HandshakeFailure)
    }

    /// Longest response head accepted, 8 KiB: a 101 is a few hundred bytes.
    public static let maxHeadBytes = 8192

    /// Parses and checks the response head at the front of `bytes` against `key`.
    public static func check(_ bytes: UnsafeRawBufferPointer, key: HandshakeKey) -> Outcome {
        guard let headEnd = HTTPHead.endOfHead(in: bytes) else {
            return bytes.count > maxHeadBytes ? .rejected(.headTooLarge) : .needMoreBytes
        }
        guard headEnd <= maxHeadBytes else { return .rejected(.headTooLarge) }
        guard let head = HTTPHead(bytes[..<headEnd]) else { return .rejected(.malformedHead) }
        // §4.1 item 1: any status other than 101 means the handshake did not complete.
        guard head.status == 101 else { return .rejected(.status(head.status)) }
        // §4.1 items 2 and 3: Upgrade is "websocket" and Connection has the token "Upgrade",
        // both case-insensitive.
        guard head.values("upgrade").contains(where: { $0.lowercased() == "websocket" }) else {
            return .rejected(.missingUpgrade)
        }
        let connectionTokens = head.values("connection").flatMap { $0.split(separator: ",") }
        guard connectionTokens.contains(where: { $0.trimmingSpaces().lowercased() == "upgrade" }) else {
            return .rejected(.missingConnectionUpgrade)
        }
        // §4.1 item 4: the accept value is compared exactly.
        guard head.values("sec-websocket-accept") == [key.expectedAccept] else { return .rejected(.wrongAccept) }
        // §4.1 items 5 and 6: we offered no extension and no subprotocol, so none may come back.
        guard head.values("sec-websocket-extensions").isEmpty else { return .rejected(.unrequestedExtension) }
        guard head.values("sec-websocket-protocol").isEmpty else { return .rejected(.unrequestedProtocol) }
        return .accepted(headBytes: headEnd)
    }
}

/// Why a handshake failed.
public enum HandshakeFailure: Error, Equatable, Sendable, CustomStringConvertible {
    case status(Int)
    case missingUpgrade
    case missingConnectionUpgrade
    case wrongAccept
    case unrequestedExtension
    case unrequestedProtocol
    case malformedHead
    case headTooLarge

    public var description: String {
        switch self {
        case .status(let code): "status \(code) instead of 101"
        case .missingUpgrade: "no Upgrade: websocket"
        case .missingConnectionUpgrade: "no Connection: Upgrade"
        case .wrongAccept: "wrong Sec-WebSocket-Accept"
        case .unrequestedExtension: "an extension nobody offered"
        case .unrequestedProtocol: "a subprotocol nobody offered"
        case .malformedHead: "malformed response head"
        case .headTooLarge: "response head over 8 KiB"
        }
    }
}
