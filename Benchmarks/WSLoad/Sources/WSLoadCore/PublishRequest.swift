/// The publisher's `POST /v1/rooms/ROOM/messages`, and the bearer token it may carry.
///
/// modeld's room publish is a mutating endpoint: it answers `403 admin_disabled` unless the
/// server has an admin token (`--admin-token-file`) and `401`/`403` unless the request sends
/// `Authorization: Bearer TOKEN`. Peers that do not check it ignore the header.
public enum PublishRequest {
    /// The request bytes: head, then `body`; with `bearerToken`, an `Authorization` field.
    public static func make(host: String, port: UInt16, room: String, body: [UInt8], bearerToken: String? = nil) -> [UInt8] {
        var head = "POST /v1/rooms/\(room)/messages HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        if let bearerToken { head += "Authorization: Bearer \(bearerToken)\r\n" }
        head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }
}

/// Why a bearer token cannot be used.
public enum BearerTokenError: Error, Equatable, CustomStringConvertible {
    /// Nothing left after trimming (an empty file or first line).
    case empty
    /// A control character (CR, LF, tab, NUL, …), which would break or split the header
    /// line, or a space at either end, which the server would strip from the field value.
    case invalidCharacter

    public var description: String {
        switch self {
        case .empty: "the token is empty"
        case .invalidCharacter: "the token contains a control character or starts or ends with a space"
        }
    }
}

/// Bearer tokens as `ws-load --token` / `--token-file` take them.
public enum BearerToken {
    /// `token` if it can go on an `Authorization: Bearer` line as is and arrive unchanged:
    /// not empty, no control character, no space at either end.
    public static func validated(_ token: String) throws(BearerTokenError) -> String {
        guard !token.isEmpty else { throw .empty }
        guard token.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }), token.utf8.first != 0x20, token.utf8.last != 0x20 else {
            throw .invalidCharacter
        }
        return token
    }

    /// The token in a token file's text, read the way modeld reads `--admin-token-file`: the
    /// first line (CRLF, LF or CR ends it) without surrounding spaces and tabs.
    public static func parse(fileContents: String) throws(BearerTokenError) -> String {
        let firstLine = fileContents.split(whereSeparator: \.isNewline).first ?? ""
        return try validated(firstLine.trimmingSpaces())
    }
}
