/// A response a handler returns: status, headers and the whole body.
///
/// Bodies are byte arrays so a prebuilt body (a probe's JSON) is shared, not copied, on
/// every request. The fields live in one immutable object, so copying a response (a probe
/// handler returns its prebuilt one on every request) is one retain, not one per field;
/// setting a field makes a new object (responses are built once, then read).
public struct HTTPResponse: Sendable {
    /// The fields, immutable (hence `Sendable`); a setter replaces the whole object.
    final class Storage: Sendable {
        let status: HTTPStatus
        let contentType: String?
        /// "Content-Type: <contentType>\r\n" as the encoder writes it, or empty.
        let contentTypeLine: [UInt8]
        let headers: [(name: String, value: String)]
        let body: [UInt8]
        let closesConnection: Bool

        init(status: HTTPStatus, contentType: String?, headers: [(name: String, value: String)], body: [UInt8],
             closesConnection: Bool) {
            self.status = status
            self.contentType = contentType
            contentTypeLine = contentType.map(HTTPResponseEncoder.contentTypeLine) ?? []
            self.headers = headers
            self.body = body
            self.closesConnection = closesConnection
        }
    }

    private(set) var storage: Storage

    /// The status code and reason phrase.
    public var status: HTTPStatus {
        get { storage.status }
        set { storage = Storage(status: newValue, contentType: contentType, headers: headers, body: body, closesConnection: closesConnection) }
    }
    /// `Content-Type`, or nil for none.
    public var contentType: String? {
        get { storage.contentType }
        set { storage = Storage(status: status, contentType: newValue, headers: headers, body: body, closesConnection: closesConnection) }
    }
    /// Headers beyond the ones the server writes itself (`Date`, `Content-Length`,
    /// `Connection`).
    public var headers: [(name: String, value: String)] {
        get { storage.headers }
        set { storage = Storage(status: status, contentType: contentType, headers: newValue, body: body, closesConnection: closesConnection) }
    }
    /// The body; not sent for `HEAD` requests (its length still is).
    public var body: [UInt8] {
        get { storage.body }
        set { storage = Storage(status: status, contentType: contentType, headers: headers, body: newValue, closesConnection: closesConnection) }
    }
    /// Close the connection after this response even if the client wants keep-alive.
    public var closesConnection: Bool {
        get { storage.closesConnection }
        set { storage = Storage(status: status, contentType: contentType, headers: headers, body: body, closesConnection: newValue) }
    }

    public init(status: HTTPStatus, contentType: String? = nil, headers: [(name: String, value: String)] = [],
                body: [UInt8] = [], closesConnection: Bool = false) {
        storage = Storage(status: status, contentType: contentType, headers: headers, body: body, closesConnection: closesConnection)
    }

    /// A JSON response whose body is already encoded.
    public static func json(_ status: HTTPStatus, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", headers: headers, body: body)
    }

    /// The JSON error shape of DESIGN §1.5: `{"error":{"code":"...","message":"..."}}`.
    public static func error(_ status: HTTPStatus, code: String, message: String,
                             headers: [(name: String, value: String)] = []) -> HTTPResponse {
        var body = Array(#"{"error":{"code":"#.utf8)
        JSONText.appendString(code, to: &body)
        body += Array(#","message":"#.utf8)
        JSONText.appendString(message, to: &body)
        body += Array("}}".utf8)
        return .json(status, body, headers: headers)
    }
}

/// Writes JSON string literals (RFC 8259 §7 escaping) without Foundation.
public enum JSONText {
    /// Appends `value` as a quoted, escaped JSON string.
    public static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
