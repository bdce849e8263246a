import Testing
import WSLoadCore

struct PublishedMessageTests {
    @Test("a body is exactly the target size, carries its seq and zero-padded send time")
    func bodyShape() {
        let body = PublishedMessage.make(seq: 7, sendTimeNanos: 123_456_789_012_345)
        #expect(body.count == 150)
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"seq":7,"t_ns":00000123456789012345,"#))
        #expect(text.hasSuffix(#"xx"}"#))
        #expect(body.withUnsafeBytes { PublishedMessage.seq(of: $0) } == 7)
    }

    @Test("payloads that are not published bodies have no seq")
    func foreignPayloads() {
        for text in [#"{"event":"snapshot"}"#, #"{"seq":}"#, #"{"seq":12"#, #"{"seq":-1,"#, "", #"{"seq":1234567890123,"#] {
            #expect(Array(text.utf8).withUnsafeBytes { PublishedMessage.seq(of: $0) } == nil)
        }
    }
}

struct HTTPResponseReaderTests {
    private func read(_ text: String) throws -> HTTPResponseReader.Outcome {
        try Array(text.utf8).withUnsafeBytes { raw in try HTTPResponseReader.read(raw) }
    }

    @Test("a Content-Length response is complete only with its whole body")
    func contentLength() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n{\"recipients\":3}"
        #expect(try read(text) == .complete(status: 200, body: Array("{\"recipients\":3}".utf8), consumed: text.utf8.count))
        #expect(try read(String(text.dropLast())) == .needMoreBytes)
        #expect(try read(text + "HTTP/1.1") == .complete(status: 200, body: Array("{\"recipients\":3}".utf8), consumed: text.utf8.count))
    }

    @Test("a chunked response is reassembled, trailers included")
    func chunked() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"rec\r\nb;x=1\r\nipients\":3}\r\n0\r\nX-T: 1\r\n\r\n"
        #expect(try read(text) == .complete(status: 200, body: Array("{\"recipients\":3}".utf8), consumed: text.utf8.count))
        #expect(try read(String(text.dropLast(2))) == .needMoreBytes)
    }

    @Test("conflicting lengths and a body without a length are errors")
    func invalid() {
        #expect(throws: ResponseError.malformed) { try read("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab") }
        #expect(throws: ResponseError.noLength) { try read("HTTP/1.1 200 OK\r\n\r\n") }
    }
}

struct PublishRequestTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("without a token the POST has no Authorization field")
    func withoutToken() {
        let body = Array(#"{"seq":1}"#.utf8)
        let request = PublishRequest.make(host: "127.0.0.1", port: 8080, room: "bench", body: body)
        #expect(text(request) == "POST /v1/rooms/bench/messages HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
            + "Content-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"seq\":1}")
        #expect(!text(request).lowercased().contains("authorization"))
    }

    @Test("with a token the head carries exactly one Authorization: Bearer field, body unchanged")
    func withToken() {
        let body = PublishedMessage.make(seq: 3, sendTimeNanos: 42)
        let request = PublishRequest.make(host: "127.0.0.1", port: 9, room: "r1", body: body, bearerToken: "0a1b2c")
        // "\r\n" is one Character: the head's lines, an empty one, then the body.
        let lines = text(request).split(separator: "\r\n", omittingEmptySubsequences: false)
        let head = lines.prefix { !$0.isEmpty }
        #expect(head.first == "POST /v1/rooms/r1/messages HTTP/1.1")
        #expect(head.filter { $0.lowercased().hasPrefix("authorization:") } == ["Authorization: Bearer 0a1b2c"])
        #expect(head.contains("Content-Length: \(body.count)"))
        #expect(Array(request.suffix(body.count)) == body)
    }
}

struct BearerTokenTests {
    @Test("a token file gives its first line without surrounding spaces, tabs and line ends")
    func fileContents() throws {
        #expect(try BearerToken.parse(fileContents: "abc123\n") == "abc123")
        #expect(try BearerToken.parse(fileContents: "  abc123 \t\r\nsecond line\n") == "abc123")
        #expect(try BearerToken.parse(fileContents: "\n\nabc123") == "abc123")  // as modeld: first non-empty line
        #expect(try BearerToken.parse(fileContents: "a b") == "a b")
    }

    @Test("empty files and tokens that would break the header line are refused")
    func refused() throws {
        #expect(throws: BearerTokenError.empty) { try BearerToken.parse(fileContents: "") }
        #expect(throws: BearerTokenError.empty) { try BearerToken.parse(fileContents: " \t\n") }
        #expect(throws: BearerTokenError.empty) { try BearerToken.validated("") }
        #expect(throws: BearerTokenError.invalidCharacter) { try BearerToken.validated("abc\r\nX-Injected: 1") }
        #expect(throws: BearerTokenError.invalidCharacter) { try BearerToken.validated("abc\u{0}") }
        #expect(throws: BearerTokenError.invalidCharacter) { try BearerToken.validated(" abc") }
        #expect(throws: BearerTokenError.invalidCharacter) { try BearerToken.parse(fileContents: "ab\u{7F}c\n") }
        #expect(try BearerToken.validated("Zm9v.YmFy-_~+/=") == "Zm9v.YmFy-_~+/=")
    }
}
