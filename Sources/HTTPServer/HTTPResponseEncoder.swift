/// Writes response heads as bytes (STYLE P2: bytes in, bytes out).
///
/// Policy: the status line always says `HTTP/1.1`, even to 1.0 clients (RFC 9110 §6.2: a
/// server sends its own highest version). Writing never allocates when `out` has room: no
/// String interpolation, digits are written by hand and strings are copied from `utf8`.
/// Bytes that could end a line or otherwise break the framing (CR, LF and the other
/// controls except HTAB) in a reason phrase, content type or extra header are written as
/// SP, so a value that came from a peer can never split the response.
public enum HTTPResponseEncoder {
    /// `"HTTP/1.1 100 Continue\r\n\r\n"`, sent before reading a body the client is holding
    /// back with `Expect: 100-continue` (RFC 9110 §10.1.1).
    public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// The end of a head: the last field line's CRLF and the blank line.
    static let blankLine: [UInt8] = Array("\r\n\r\n".utf8)

    /// The HSTS field line every response over TLS carries (RFC 6797 §6.1): browsers that
    /// saw it use HTTPS for this host for a year. Never sent in plain text, where a browser
    /// must ignore it (RFC 6797 §8.1) and an attacker could have forged it.
    public static let strictTransportSecurityLine: [UInt8] = Array("Strict-Transport-Security: max-age=31536000\r\n".utf8)

    /// Appends a response head to `out`.
    ///
    /// Writes "HTTP/1.1 <code> <reason>\r\n", the Date line, `Content-Type` if given,
    /// `Content-Length` (omitted for 1xx and 204, RFC 9110 §8.6), `Connection: close` when
    /// `!keepAlive` (or `Connection: keep-alive` for an HTTP/1.0 client that keeps the
    /// connection, RFC 9112 §9.3), `Strict-Transport-Security` when `overTLS`, each extra
    /// header in order, then the blank line.
    ///
    /// - Parameters:
    ///   - version: the request's version; only decides the `Connection` field.
    ///   - contentLength: body length in bytes, at least 0.
    ///   - overTLS: the response travels encrypted; adds `strictTransportSecurityLine`.
    public static func writeHead(
        status: HTTPStatus, version: HTTPVersion, contentType: String?,
        contentLength: Int, keepAlive: Bool,
        extraHeaders: [(name: String, value: String)],
        overTLS: Bool = false,
        date: borrowing HTTPDateCache, into out: inout [UInt8]
    ) {
        append(status.statusLine, to: &out)
        append(date.headerLine, to: &out)
        if let contentType { append(contentTypeLine(contentType), to: &out) }
        writeRest(status: status, version: version, contentLength: contentLength, keepAlive: keepAlive,
                  extraHeaders: extraHeaders, overTLS: overTLS, into: &out)
    }

    /// Appends the head of `response` (as `writeHead(status:...)` would, byte for byte),
    /// copying the status line and `Content-Type` line the response carries prebuilt instead
    /// of writing them byte by byte: the server's per-response path.
    static func writeHead(
        of response: HTTPResponse, version: HTTPVersion, keepAlive: Bool, overTLS: Bool,
        date: borrowing HTTPDateCache, into out: inout [UInt8]
    ) {
        let fields = response.storage
        append(fields.status.statusLine, to: &out)
        append(date.headerLine, to: &out)
        append(fields.contentTypeLine, to: &out)
        writeRest(status: fields.status, version: version, contentLength: fields.body.count, keepAlive: keepAlive,
                  extraHeaders: fields.headers, overTLS: overTLS, into: &out)
    }

    /// Appends `bytes` through a borrowed buffer: `append(contentsOf:)` with the array itself
    /// takes it owned, a retain and a release per call on the per-response path.
    @inline(__always)
    static func append(_ bytes: borrowing [UInt8], to out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { out.append(contentsOf: $0) }
    }

    /// "HTTP/1.1 <code> <reason>\r\n" (see `HTTPStatus.statusLine`).
    static func statusLine(code: Int, reasonPhrase: String) -> [UInt8] {
        var line = Array("HTTP/1.1 ".utf8)
        writeDecimal(code, into: &line)
        line.append(HTTPSyntax.space)
        writeFieldText(reasonPhrase, into: &line)
        writeCRLF(into: &line)
        return line
    }

    /// "Content-Type: <value>\r\n" (see `HTTPResponse.contentTypeLine`).
    static func contentTypeLine(_ contentType: String) -> [UInt8] {
        var line: [UInt8] = []
        writeField(name: "Content-Type", value: contentType, into: &line)
        return line
    }

    private static let contentLengthPrefix = Array("Content-Length: ".utf8)
    private static let connectionCloseLine = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAliveLine = Array("Connection: keep-alive\r\n".utf8)

    /// Everything after `Content-Type`: `Content-Length`, `Connection`, HSTS, the extra
    /// headers and the blank line.
    private static func writeRest(
        status: HTTPStatus, version: HTTPVersion, contentLength: Int, keepAlive: Bool,
        extraHeaders: [(name: String, value: String)], overTLS: Bool, into out: inout [UInt8]
    ) {
        precondition(contentLength >= 0, "a body cannot have a negative length")
        if status.allowsContentLength {
            append(contentLengthPrefix, to: &out)
            writeDecimal(contentLength, into: &out)
            writeCRLF(into: &out)
        }
        if !keepAlive {
            append(connectionCloseLine, to: &out)
        } else if version == .http1_0 {
            append(connectionKeepAliveLine, to: &out)
        }
        if overTLS { append(strictTransportSecurityLine, to: &out) }
        for header in extraHeaders {
            writeField(name: header.name, value: header.value, into: &out)
        }
        writeCRLF(into: &out)
    }

    private static func writeField(name: String, value: String, into out: inout [UInt8]) {
        writeFieldText(name, into: &out)
        out.append(HTTPSyntax.colon)
        out.append(HTTPSyntax.space)
        writeFieldText(value, into: &out)
        writeCRLF(into: &out)
    }

    private static func writeFieldText(_ text: String, into out: inout [UInt8]) {
        for byte in text.utf8 {
            out.append(HTTPSyntax.isFieldValueByte(byte) ? byte : HTTPSyntax.space)
        }
    }

    private static func writeCRLF(into out: inout [UInt8]) {
        out.append(HTTPSyntax.cr)
        out.append(HTTPSyntax.lf)
    }

    /// Appends the decimal digits of a non-negative `value`, most significant first (no
    /// write by index into `out`, which would check its uniqueness once per digit).
    private static func writeDecimal(_ value: Int, into out: inout [UInt8]) {
        var divisor = 1
        while value / divisor >= 10 { divisor *= 10 }
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        } while divisor > 0
    }
}
