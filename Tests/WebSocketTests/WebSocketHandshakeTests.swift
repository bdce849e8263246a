import HTTPServer
import Testing
@testable import WebSocket

/// Parses `lines` (joined with CRLF, blank line added) and validates them as an upgrade.
/// Any origin passes unless `origins` says otherwise: the RFC's sample request is
/// cross-origin (`Origin: http://example.com`, `Host: server.example.com`).
func handshake(
    _ lines: [String], origins: OriginPolicy = .anyOrigin,
    deflate: PerMessageDeflateConfiguration? = PerMessageDeflateConfiguration()
) -> Result<WebSocketHandshake.Accepted, WebSocketHandshake.Rejection> {
    let bytes = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    var parser = HTTPHeadParser(limits: HTTPLimits())
    return bytes.withUnsafeBytes { buffer in
        guard case .complete = try? parser.parse(buffer) else { fatalError("test request did not parse") }
        return WebSocketHandshake.validate(
            head: parser.head, buffer: buffer, origins: origins, deflate: deflate)
    }
}

struct WebSocketHandshakeTests {
    /// The RFC 6455 §1.3 client handshake.
    static let rfcRequest = [
        "GET /chat HTTP/1.1", "Host: server.example.com", "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Origin: http://example.com", "Sec-WebSocket-Version: 13",
    ]

    static func replacing(_ prefix: String, with line: String?) -> [String] {
        rfcRequest.compactMap { $0.hasPrefix(prefix) ? line : $0 }
    }

    @Test("RFC 6455 §1.3: the sample key yields s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    func rfcAcceptValue() {
        #expect(WebSocketHandshake.acceptValue(forKey: Array("dGhlIHNhbXBsZSBub25jZQ==".utf8)) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test("the RFC 6455 §1.3 request is accepted with the exact 101 response head")
    func rfcRequestAccepted() throws {
        let accepted = try handshake(Self.rfcRequest).get()
        #expect(accepted.deflate == nil)
        #expect(String(decoding: accepted.responseHead, as: UTF8.self) == """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            \r

            """)
    }

    @Test("header names and the upgrade tokens are matched case-insensitively within lists")
    func tokensInListsAccepted() {
        let request = [
            "GET /ws HTTP/1.1", "Host: x", "upgrade: WebSocket", "CONNECTION: keep-alive, Upgrade",
            "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==", "SEC-WEBSOCKET-VERSION: 13",
        ]
        #expect((try? handshake(request).get()) != nil)
    }

    @Test("a deflate offer is answered in the 101 head")
    func deflateInResponseHead() throws {
        let accepted = try handshake(Self.rfcRequest + ["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"]).get()
        let head = String(decoding: accepted.responseHead, as: UTF8.self)
        #expect(head.contains(
            "\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=15\r\n\r\n"))
        let disabled = try handshake(Self.rfcRequest + ["Sec-WebSocket-Extensions: permessage-deflate"], deflate: nil).get()
        #expect(disabled.deflate == nil)
    }

    @Test("malformed upgrades are refused with 400", arguments: [
        (replacing("GET", with: "POST /chat HTTP/1.1"), WebSocketHandshake.Rejection.methodNotGet),
        (replacing("GET", with: "GET /chat HTTP/1.0"), .httpVersionTooOld),
        (replacing("Upgrade", with: nil), .missingUpgrade),
        (replacing("Upgrade", with: "Upgrade: h2c"), .missingUpgrade),
        (replacing("Connection", with: "Connection: keep-alive"), .missingConnectionUpgrade),
        (replacing("Sec-WebSocket-Key", with: nil), .invalidKey),
        (replacing("Sec-WebSocket-Key", with: "Sec-WebSocket-Key: dGhlIHNhbXBsZQ=="), .invalidKey),
        (replacing("Sec-WebSocket-Key", with: "Sec-WebSocket-Key: not base64 at all!!!!!"), .invalidKey),
        (rfcRequest + ["Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="], .invalidKey),
    ])
    func malformedUpgradeIs400(request: [String], rejection: WebSocketHandshake.Rejection) {
        #expect(handshake(request) == .failure(rejection))
        #expect(rejection.status == .badRequest)
        #expect(rejection.response.status.code == 400)
    }

    @Test("a version other than 13 is refused with 426 naming version 13", arguments: [
        replacing("Sec-WebSocket-Version", with: "Sec-WebSocket-Version: 8"),
        replacing("Sec-WebSocket-Version", with: nil),
        rfcRequest + ["Sec-WebSocket-Version: 13"],
    ])
    func wrongVersionIs426(request: [String]) {
        #expect(handshake(request) == .failure(.unsupportedVersion))
        let response = WebSocketHandshake.Rejection.unsupportedVersion.response
        #expect(response.status.code == 426)
        #expect(response.headers.contains { $0.name == "Sec-WebSocket-Version" && $0.value == "13" })
    }

    @Test("an Origin outside the allow-list is refused with 403; listed or absent origins pass")
    func originAllowList() {
        let other = OriginPolicy(allowedOrigins: ["https://other.example"])
        #expect(handshake(Self.rfcRequest, origins: other) == .failure(.originNotAllowed))
        #expect(handshake(Self.rfcRequest, origins: .sameOriginOnly) == .failure(.originNotAllowed))
        #expect(WebSocketHandshake.Rejection.originNotAllowed.response.status.code == 403)
        #expect((try? handshake(Self.rfcRequest, origins: OriginPolicy(allowedOrigins: ["HTTP://EXAMPLE.COM"])).get()) != nil)
        #expect((try? handshake(Self.replacing("Origin", with: nil), origins: other).get()) != nil)
        #expect((try? handshake(Self.replacing("Origin", with: nil), origins: .sameOriginOnly).get()) != nil)
        let sameOrigin = Self.replacing("Origin", with: "Origin: http://Server.Example.com")
        #expect((try? handshake(sameOrigin, origins: .sameOriginOnly).get()) != nil)
        #expect(handshake(Self.rfcRequest + ["Origin: http://server.example.com"], origins: .sameOriginOnly)
                == .failure(.originNotAllowed))
    }

    @Test("SHA-1 matches the RFC 3174 test vectors")
    func sha1Vectors() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
        #expect(hex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(SHA1.hash([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.hash(Array(repeating: UInt8(ascii: "a"), count: 1_000_000))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test("base64 matches the RFC 4648 §10 vectors and rejects malformed input")
    func base64Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(Array(encoded.utf8)) == Array(plain.utf8))
        }
        for bad in ["Zg=", "Z===", "Zm=v", "Zm9v!A==", "=m9v"] {
            #expect(Base64.decode(Array(bad.utf8)) == nil, "\(bad)")
        }
    }
}
