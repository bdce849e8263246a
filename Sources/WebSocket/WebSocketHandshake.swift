public import HTTPServer

/// The server's side of the opening handshake (RFC 6455 §4.2.1, §4.2.2): checks an upgrade
/// request and builds the `101 Switching Protocols` answer.
///
/// Policy, checked in this order, the first failure deciding the answer:
/// - `GET` over HTTP/1.1 or later, with an `Upgrade` field containing the token `websocket`
///   and a `Connection` field containing `upgrade` (both case-insensitive), else 400;
/// - `Sec-WebSocket-Version: 13`, once, else 426 with `Sec-WebSocket-Version: 13`
///   (RFC 6455 §4.2.2), so an older or newer client learns what to speak;
/// - one `Sec-WebSocket-Key` that is base64 of 16 bytes, else 400;
/// - no `Origin`, the server's own origin, or one `OriginPolicy` admits, else 403 (a
///   request without `Origin` is not from a browser; see `OriginPolicy`).
/// Extensions never fail a handshake: an unusable `Sec-WebSocket-Extensions` just means no
/// extension is agreed.
public enum WebSocketHandshake {
    /// The GUID RFC 6455 §1.3 appends to the key before hashing.
    public static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// A request that may be upgraded, and what to answer.
    public struct Accepted: Sendable, Equatable {
        /// The `Sec-WebSocket-Accept` value.
        public var acceptValue: String
        /// The permessage-deflate parameters agreed, or nil if none.
        public var deflate: PerMessageDeflateParameters?

        /// An accepted handshake with these values.
        public init(acceptValue: String, deflate: PerMessageDeflateParameters? = nil) {
            self.acceptValue = acceptValue
            self.deflate = deflate
        }

        /// Appends the whole `101 Switching Protocols` response head, blank line included.
        public func writeResponseHead(into out: inout [UInt8]) {
            out.append(contentsOf: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n".utf8)
            out.append(contentsOf: "Sec-WebSocket-Accept: ".utf8)
            out.append(contentsOf: acceptValue.utf8)
            out.append(contentsOf: "\r\n".utf8)
            if let deflate {
                out.append(contentsOf: "Sec-WebSocket-Extensions: ".utf8)
                out.append(contentsOf: deflate.responseValue.utf8)
                out.append(contentsOf: "\r\n".utf8)
            }
            out.append(contentsOf: "\r\n".utf8)
        }

        /// The response head as a new array.
        public var responseHead: [UInt8] {
            var out: [UInt8] = []
            writeResponseHead(into: &out)
            return out
        }
    }

    /// Checks `head` (parsed from `buffer`) as a WebSocket upgrade request.
    /// - Parameters:
    ///   - origins: which `Origin` values pass besides none and the server's own.
    ///   - deflate: the permessage-deflate settings, or nil never to negotiate it.
    public static func validate(
        head: HTTPRequestHead, buffer: UnsafeRawBufferPointer,
        origins: OriginPolicy = .sameOriginOnly,
        deflate: PerMessageDeflateConfiguration? = PerMessageDeflateConfiguration()
    ) -> Result<Accepted, Rejection> {
        let fields = HeaderFieldReader(head: head, buffer: buffer)
        guard head.method == .get else { return .failure(.methodNotGet) }
        guard head.version == .http1_1 else { return .failure(.httpVersionTooOld) }
        guard fields.containsToken("websocket", inFieldsNamed: "upgrade") else { return .failure(.missingUpgrade) }
        guard fields.containsToken("upgrade", inFieldsNamed: "connection") else { return .failure(.missingConnectionUpgrade) }
        let versions = fields.values(named: "sec-websocket-version")
        guard versions.count == 1, versions[0].elementsEqual("13".utf8) else { return .failure(.unsupportedVersion) }
        let keys = fields.values(named: "sec-websocket-key")
        // RFC 6455 §4.1: the key is a base64-encoded 16-byte nonce; §11.3.1: sent once.
        guard keys.count == 1, let nonce = Base64.decode(keys[0]), nonce.count == 16 else { return .failure(.invalidKey) }
        guard origins.allows(origins: fields.values(named: "origin"), hosts: fields.values(named: "host")) else {
            return .failure(.originNotAllowed)
        }
        var accepted = Accepted(acceptValue: acceptValue(forKey: Array(keys[0])))
        if let deflate {
            let offers = fields.values(named: "sec-websocket-extensions").flatMap { WebSocketExtensionOffer.parseList($0) ?? [] }
            accepted.deflate = PerMessageDeflateNegotiation.negotiate(offers: offers, configuration: deflate)
        }
        return .success(accepted)
    }

    /// `Sec-WebSocket-Accept` for `key` as sent: base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2).
    public static func acceptValue(forKey key: [UInt8]) -> String {
        Base64.encode(SHA1.hash(key + Array(acceptGUID.utf8)))
    }
}

extension WebSocketHandshake {
    /// Checks a request already copied out of the read buffer (what upgrade routes get). An
    /// absolute-form target's authority stands for `Host` (RFC 9112 §3.2.2), also in the
    /// same-origin check.
    public static func validate(
        request: HTTPRequest, origins: OriginPolicy = .sameOriginOnly,
        deflate: PerMessageDeflateConfiguration? = PerMessageDeflateConfiguration()
    ) -> Result<Accepted, Rejection> {
        var buffer: [UInt8] = []
        var head = HTTPRequestHead()
        head.method = request.method
        head.version = request.version
        var headers = request.headers
        if let authority = request.targetAuthority {
            headers.removeAll { HeaderFieldReader.equalsIgnoringCase($0.name.utf8, "host") }
            headers.append(("Host", authority))
        }
        head.fields = headers.map { field in
            let nameStart = buffer.count
            buffer.append(contentsOf: field.name.utf8)
            let valueStart = buffer.count
            buffer.append(contentsOf: field.value.utf8)
            return HTTPHeaderField(name: nameStart..<valueStart, value: valueStart..<buffer.count)
        }
        return buffer.withUnsafeBytes { bytes in
            validate(head: head, buffer: bytes, origins: origins, deflate: deflate)
        }
    }
}
