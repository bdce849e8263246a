/// Everything that can be wrong with a request's bytes, as a closed set.
///
/// `status` is the one mapping from a parse error to the wire (STYLE P9; DESIGN §1.8);
/// `code` and `message` are what a client sees, `description` is for logs only. Every
/// parse error ends the connection after its response: the framing can no longer be
/// trusted, so nothing after the bad bytes is read (RFC 9112 §6.3 on smuggling).
public enum HTTPParseError: Error, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// The request line is not `method SP request-target SP HTTP-version CRLF`.
    case malformedRequestLine
    /// The request-target is none of RFC 9112 §3.2's forms, or an absolute-form target
    /// with a scheme other than `http`/`https` or without a valid authority.
    case invalidTarget
    /// The method is not a token.
    case invalidMethod
    /// A field line is malformed: bad name, obs-fold, a control byte, or a bare CR or LF.
    case malformedHeader
    /// An HTTP/1.1 request has no `Host` field.
    case missingHost
    /// A request has more than one `Host` field.
    case duplicateHost
    /// The `Host` value is not a valid `uri-host [ ":" port ]`.
    case invalidHost
    /// No blank line within `HTTPLimits.maxHeaderBytes`, or trailers over their bound.
    case headerSectionTooLarge
    /// More than `HTTPLimits.maxHeaderCount` field lines.
    case tooManyHeaders
    /// The request-target is longer than `HTTPLimits.maxURIBytes`.
    case uriTooLong
    /// The body is longer than `HTTPLimits.maxBodyBytes`.
    case bodyTooLarge
    /// `Content-Length` is not a decimal number, or has differing values.
    case invalidContentLength
    /// Both `Content-Length` and `Transfer-Encoding` are present.
    case conflictingLength
    /// `Transfer-Encoding` names a coding other than `chunked`.
    case unsupportedTransferEncoding
    /// `Transfer-Encoding` is empty, repeats `chunked`, or appears in an HTTP/1.0 request.
    case invalidTransferEncoding
    /// The chunked framing of the body is malformed.
    case invalidChunk
    /// The version is well formed but not HTTP/1 (for example `HTTP/2.0`).
    case unsupportedVersion

    /// The response status for this error; the only place errors meet the wire.
    public var status: HTTPStatus {
        switch self {
        case .malformedRequestLine, .invalidTarget, .invalidMethod, .malformedHeader, .missingHost,
             .duplicateHost, .invalidHost, .invalidContentLength, .invalidTransferEncoding,
             .invalidChunk:
            .badRequest
        case .conflictingLength:
            // RFC 9112 §6.3: a request with both framings is a smuggling attempt.
            .badRequest
        case .headerSectionTooLarge, .tooManyHeaders: .requestHeaderFieldsTooLarge
        case .uriTooLong: .uriTooLong
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedTransferEncoding: .notImplemented
        case .unsupportedVersion: .httpVersionNotSupported
        }
    }

    /// A stable snake_case identifier for JSON error bodies.
    public var code: String {
        switch self {
        case .malformedRequestLine: "malformed_request_line"
        case .invalidTarget: "invalid_target"
        case .invalidMethod: "invalid_method"
        case .malformedHeader: "malformed_header"
        case .missingHost: "missing_host"
        case .duplicateHost: "duplicate_host"
        case .invalidHost: "invalid_host"
        case .headerSectionTooLarge: "header_section_too_large"
        case .tooManyHeaders: "too_many_headers"
        case .uriTooLong: "uri_too_long"
        case .bodyTooLarge: "body_too_large"
        case .invalidContentLength: "invalid_content_length"
        case .conflictingLength: "conflicting_length"
        case .unsupportedTransferEncoding: "unsupported_transfer_encoding"
        case .invalidTransferEncoding: "invalid_transfer_encoding"
        case .invalidChunk: "invalid_chunk"
        case .unsupportedVersion: "unsupported_version"
        }
    }

    /// One sentence a client can show a person.
    public var message: String {
        switch self {
        case .malformedRequestLine: "The request line is malformed."
        case .invalidTarget: "The request target must be a path starting with / or an http(s) URI with a host."
        case .invalidMethod: "The request method is not a valid token."
        case .malformedHeader: "A header field is malformed."
        case .missingHost: "An HTTP/1.1 request must have a Host header."
        case .duplicateHost: "The request has more than one Host header."
        case .invalidHost: "The Host header is not a valid host and port."
        case .headerSectionTooLarge: "The request header section is too large."
        case .tooManyHeaders: "The request has too many header fields."
        case .uriTooLong: "The request target is too long."
        case .bodyTooLarge: "The request body is too large."
        case .invalidContentLength: "The Content-Length header is invalid."
        case .conflictingLength: "The request has both Content-Length and Transfer-Encoding."
        case .unsupportedTransferEncoding: "Only the chunked transfer coding is supported."
        case .invalidTransferEncoding: "The Transfer-Encoding header is invalid."
        case .invalidChunk: "The chunked request body is malformed."
        case .unsupportedVersion: "Only HTTP/1.0 and HTTP/1.1 are supported."
        }
    }

    /// The code and status, for logs (clients get `code` and `message`, never this).
    public var description: String { "HTTPParseError.\(code) (\(status.code))" }
}
