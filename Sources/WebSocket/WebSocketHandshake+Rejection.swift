public import HTTPServer

extension WebSocketHandshake {
    /// Why an upgrade request was refused; `status` and `response` are the one mapping to
    /// the wire (STYLE P9).
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        /// The method was not GET (RFC 6455 §4.1).
        case methodNotGet
        /// The request was HTTP/1.0 (RFC 6455 §4.1 requires 1.1 or later).
        case httpVersionTooOld
        /// No `Upgrade` field with the `websocket` token.
        case missingUpgrade
        /// No `Connection` field with the `upgrade` token.
        case missingConnectionUpgrade
        /// `Sec-WebSocket-Key` missing, repeated, or not base64 of 16 bytes.
        case invalidKey
        /// `Sec-WebSocket-Version` missing, repeated or not 13.
        case unsupportedVersion
        /// `Origin` from another site, not on the allow-list (`OriginPolicy`).
        case originNotAllowed

        /// The HTTP status to answer with.
        public var status: HTTPStatus {
            switch self {
            case .methodNotGet, .httpVersionTooOld, .missingUpgrade, .missingConnectionUpgrade, .invalidKey: .badRequest
            case .unsupportedVersion: .upgradeRequired
            case .originNotAllowed: .forbidden
            }
        }

        /// Extra response headers: RFC 6455 §4.2.2 has a 426 name the version spoken.
        public var headers: [(name: String, value: String)] {
            self == .unsupportedVersion ? [(name: "Sec-WebSocket-Version", value: "13")] : []
        }

        /// The stable error code for the JSON body.
        public var code: String {
            switch self {
            case .methodNotGet, .httpVersionTooOld, .missingUpgrade, .missingConnectionUpgrade, .invalidKey:
                "bad_websocket_handshake"
            case .unsupportedVersion: "unsupported_websocket_version"
            case .originNotAllowed: "origin_not_allowed"
            }
        }

        /// The message for the JSON body and logs.
        public var description: String {
            switch self {
            case .methodNotGet: "a WebSocket upgrade must use GET"
            case .httpVersionTooOld: "a WebSocket upgrade needs HTTP/1.1"
            case .missingUpgrade: "missing Upgrade: websocket"
            case .missingConnectionUpgrade: "missing Connection: upgrade"
            case .invalidKey: "Sec-WebSocket-Key must be base64 of 16 bytes, sent once"
            case .unsupportedVersion: "only WebSocket version 13 is supported"
            case .originNotAllowed:
                "this page's origin may not open WebSockets here: only pages of the server's own origin and the origins"
                    + " listed in the setting websocket.allowed-origins (--websocket-allowed-origins) may"
            }
        }

        /// The whole response: the status, `headers`, and the JSON error body.
        public var response: HTTPResponse {
            .error(status, code: code, message: description, headers: headers)
        }
    }
}
