/// An HTTP status code and its reason phrase (RFC 9110 §15).
///
/// Every status the server sends is a static constant here, so a code and its phrase are
/// written once. The reason phrase is informational only (RFC 9112 §4: clients ignore it).
public struct HTTPStatus: Sendable, Hashable {
    /// The three-digit status code, 100...599.
    public let code: Int
    /// The reason phrase sent after the code in the status line.
    public let reasonPhrase: String
    /// "HTTP/1.1 <code> <reason>\r\n" as `HTTPResponseEncoder` writes it (controls in the
    /// phrase as SP), made once here so each response copies it whole.
    let statusLine: [UInt8]

    /// A status outside the table below; `code` must be three digits (100...599).
    public init(code: Int, reasonPhrase: String) {
        precondition((100...599).contains(code), "HTTP status codes have three digits")
        self.code = code
        self.reasonPhrase = reasonPhrase
        statusLine = HTTPResponseEncoder.statusLine(code: code, reasonPhrase: reasonPhrase)
    }

    /// Whether the status is informational (1xx); such responses carry no body.
    public var isInformational: Bool { code < 200 }

    /// Whether a response with this status may carry a body and hence `Content-Length`
    /// (RFC 9110 §8.6: not for 1xx or 204).
    public var allowsContentLength: Bool { code >= 200 && code != 204 }
}

extension HTTPStatus {
    /// 100 Continue.
    public static let `continue` = HTTPStatus(code: 100, reasonPhrase: "Continue")
    /// 101 Switching Protocols.
    public static let switchingProtocols = HTTPStatus(code: 101, reasonPhrase: "Switching Protocols")
    /// 200 OK.
    public static let ok = HTTPStatus(code: 200, reasonPhrase: "OK")
    /// 201 Created.
    public static let created = HTTPStatus(code: 201, reasonPhrase: "Created")
    /// 202 Accepted.
    public static let accepted = HTTPStatus(code: 202, reasonPhrase: "Accepted")
    /// 204 No Content.
    public static let noContent = HTTPStatus(code: 204, reasonPhrase: "No Content")
    /// 400 Bad Request.
    public static let badRequest = HTTPStatus(code: 400, reasonPhrase: "Bad Request")
    /// 401 Unauthorized.
    public static let unauthorized = HTTPStatus(code: 401, reasonPhrase: "Unauthorized")
    /// 403 Forbidden.
    public static let forbidden = HTTPStatus(code: 403, reasonPhrase: "Forbidden")
    /// 404 Not Found.
    public static let notFound = HTTPStatus(code: 404, reasonPhrase: "Not Found")
    /// 405 Method Not Allowed.
    public static let methodNotAllowed = HTTPStatus(code: 405, reasonPhrase: "Method Not Allowed")
    /// 408 Request Timeout.
    public static let requestTimeout = HTTPStatus(code: 408, reasonPhrase: "Request Timeout")
    /// 409 Conflict.
    public static let conflict = HTTPStatus(code: 409, reasonPhrase: "Conflict")
    /// 413 Content Too Large.
    public static let contentTooLarge = HTTPStatus(code: 413, reasonPhrase: "Content Too Large")
    /// 414 URI Too Long.
    public static let uriTooLong = HTTPStatus(code: 414, reasonPhrase: "URI Too Long")
    /// 415 Unsupported Media Type.
    public static let unsupportedMediaType = HTTPStatus(code: 415, reasonPhrase: "Unsupported Media Type")
    /// 425 Too Early.
    public static let tooEarly = HTTPStatus(code: 425, reasonPhrase: "Too Early")
    /// 426 Upgrade Required.
    public static let upgradeRequired = HTTPStatus(code: 426, reasonPhrase: "Upgrade Required")
    /// 431 Request Header Fields Too Large.
    public static let requestHeaderFieldsTooLarge = HTTPStatus(
        code: 431, reasonPhrase: "Request Header Fields Too Large")
    /// 500 Internal Server Error.
    public static let internalServerError = HTTPStatus(code: 500, reasonPhrase: "Internal Server Error")
    /// 501 Not Implemented.
    public static let notImplemented = HTTPStatus(code: 501, reasonPhrase: "Not Implemented")
    /// 503 Service Unavailable.
    public static let serviceUnavailable = HTTPStatus(code: 503, reasonPhrase: "Service Unavailable")
    /// 505 HTTP Version Not Supported.
    public static let httpVersionNotSupported = HTTPStatus(
        code: 505, reasonPhrase: "HTTP Version Not Supported")
}
