/// A close status code (RFC 6455 §7.4), as sent in the first two bytes of a close frame.
///
/// A struct rather than an enum because a peer may legitimately send any registered or
/// private code (3000-4999); the constants below are the ones this server sends.
public struct CloseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The code as it appears on the wire (network byte order when encoded).
    public let rawValue: UInt16

    /// The code `rawValue`, whether or not it may appear in a close frame.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// 1000: the purpose of the connection has been fulfilled.
    public static let normalClosure = CloseCode(rawValue: 1000)
    /// 1001: the server is going down (shutdown) or the client navigated away.
    public static let goingAway = CloseCode(rawValue: 1001)
    /// 1002: the peer broke the protocol.
    public static let protocolError = CloseCode(rawValue: 1002)
    /// 1003: the peer sent a type of data this endpoint cannot accept.
    public static let unsupportedData = CloseCode(rawValue: 1003)
    /// 1007: a message's data was inconsistent with its type (invalid UTF-8 in text).
    public static let invalidPayloadData = CloseCode(rawValue: 1007)
    /// 1008: a message violated the endpoint's policy.
    public static let policyViolation = CloseCode(rawValue: 1008)
    /// 1009: a frame or message was too big to process.
    public static let messageTooBig = CloseCode(rawValue: 1009)
    /// 1011: the server hit an unexpected condition.
    public static let internalError = CloseCode(rawValue: 1011)
    /// 1013: try again later; this server sends it to subscribers past their outbound limit.
    public static let tryAgainLater = CloseCode(rawValue: 1013)

    /// Whether a close frame may carry this code (RFC 6455 §7.4.1, §7.4.2).
    ///
    /// 1004 is reserved; 1005, 1006 and 1015 are for local reporting only and MUST NOT be
    /// sent; 1016-2999 are reserved for future RFCs (only 1000-1003 and 1007-1014 are
    /// assigned in the IANA registry); 3000-4999 are for libraries and applications;
    /// anything below 1000 or above 4999 is invalid.
    public var isValidInCloseFrame: Bool {
        switch rawValue {
        case 1000...1003, 1007...1014: true
        case 3000...4999: true
        default: false
        }
    }

    /// The code in decimal.
    public var description: String { String(rawValue) }
}
