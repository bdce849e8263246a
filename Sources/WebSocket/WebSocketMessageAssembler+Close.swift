extension WebSocketMessageAssembler {
    /// Reads a close frame's payload (RFC 6455 §5.5.1): empty, or a two-byte code in network
    /// byte order followed by a UTF-8 reason.
    ///
    /// A one-byte payload and a code that may not be sent (RFC 6455 §7.4: below 1000, 1004,
    /// 1005, 1006, 1015, 1016-2999 and above 4999) are 1002; a reason that is not UTF-8 is 1007.
    public static func parseClose(_ payload: [UInt8]) throws(WebSocketProtocolError) -> WebSocketMessage {
        if payload.isEmpty { return .close(code: nil, reason: "") }
        guard payload.count >= 2 else { throw .invalidClosePayload }
        let code = CloseCode(rawValue: UInt16(payload[0]) << 8 | UInt16(payload[1]))
        guard code.isValidInCloseFrame else { throw .invalidCloseCode(code.rawValue) }
        let reason = payload[2...]
        var validator = UTF8Validator()
        let isValid = reason.withUnsafeBytes { validator.validate($0) }
        guard isValid, validator.isComplete else { throw .invalidUTF8 }
        return .close(code: code, reason: String(decoding: reason, as: UTF8.self))
    }
}
