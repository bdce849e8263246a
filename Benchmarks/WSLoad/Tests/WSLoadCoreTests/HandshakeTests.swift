import Testing
import WSLoadCore

struct SHA1Tests {
    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test("digests match RFC 3174 §7.3 test vectors")
    func rfcVectors() {
        #expect(hex(SHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
            == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(SHA1.digest(Array(String(repeating: "a", count: 1_000_000).utf8)))
            == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test("messages around the 55/56/64-byte padding boundaries digest correctly")
    func paddingBoundaries() {
        #expect(hex(SHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.digest([UInt8](repeating: 0x61, count: 55))) == "c1c8bbdc22796e28c0e15163d20899b65621d65a")
        #expect(hex(SHA1.digest([UInt8](repeating: 0x61, count: 56))) == "c2db330f6083854c99d4b5bfb6e8f29f201be699")
        #expect(hex(SHA1.digest([UInt8](repeating: 0x61, count: 64))) == "0098ba824b5c16427bd7a1122a5a442a25ec644d")
    }
}

struct Base64Tests {
    @Test("encodes the RFC 4648 §10 vectors with padding")
    func rfcVectors() {
        let cases = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in cases { #expect(Base64.encode(Array(plain.utf8)) == encoded) }
    }
}

struct HandshakeResponseTests {
    /// RFC 6455 §1.3's own key and accept.
    let key = HandshakeKey(key: "dGhlIHNhbXBsZSBub25jZQ==")

    private func response(_ fields: [String], status: String = "101 Switching Protocols") -> [UInt8] {
        Array((["HTTP/1.1 " + status] + fields + ["", ""]).joined(separator: "\r\n").utf8)
    }

    private var valid: [UInt8] {
        response(["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="])
    }

    private func check(_ bytes: [UInt8]) -> HandshakeResponse.Outcome {
        bytes.withUnsafeBytes { HandshakeResponse.check($0, key: key) }
    }

    @Test("the RFC 6455 §1.3 key gives the RFC's accept value")
    func rfcKeyAccept() {
        #expect(key.expectedAccept == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(HandshakeKey(nonce: Array("the sample nonce".utf8)).key == "dGhlIHNhbXBsZSBub25jZQ==")
    }

    @Test("a valid 101 is accepted with its head length, and every shorter prefix needs more bytes")
    func validResponseAndPrefixes() {
        let bytes = valid + [0x81, 0x00]
        #expect(check(bytes) == .accepted(headBytes: valid.count))
        for length in 0..<valid.count { #expect(check(Array(valid[..<length])) == .needMoreBytes) }
    }

    @Test("header names and the Upgrade and Connection tokens are case-insensitive")
    func caseInsensitive() {
        let bytes = response(["upgrade: WebSocket", "CONNECTION: keep-alive, UPGRADE", "sec-websocket-accept:  s3pPLMBiTxaQ9kYGzzhZRbK+xOo= "])
        #expect(check(bytes) == .accepted(headBytes: bytes.count))
    }

    @Test("a wrong status, accept, Upgrade, Connection or an unoffered extension is rejected")
    func rejections() {
        let accept = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        #expect(check(response(["Content-Length: 0"], status: "400 Bad Request")) == .rejected(.status(400)))
        #expect(check(response(["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOp="]))
            == .rejected(.wrongAccept))
        #expect(check(response(["Connection: Upgrade", accept])) == .rejected(.missingUpgrade))
        #expect(check(response(["Upgrade: websocket", accept])) == .rejected(.missingConnectionUpgrade))
        #expect(check(response(["Upgrade: websocket", "Connection: Upgrade", accept, "Sec-WebSocket-Extensions: permessage-deflate"]))
            == .rejected(.unrequestedExtension))
        #expect(check(Array("HTTP/1.1 10x Nope\r\n\r\n".utf8)) == .rejected(.malformedHead))
        #expect(check([UInt8](repeating: 0x41, count: 9000)) == .rejected(.headTooLarge))
    }
}
