@testable import HTTPServer
import Testing

struct HTTPResponseEncoderTests {
    private let date = HTTPDateCache(epochSeconds: 784_111_777)

    private func head(
        _ status: HTTPStatus, version: HTTPVersion = .http1_1, contentType: String? = nil, contentLength: Int = 0,
        keepAlive: Bool = true, extraHeaders: [(name: String, value: String)] = []
    ) -> String {
        var out: [UInt8] = []
        HTTPResponseEncoder.writeHead(
            status: status, version: version, contentType: contentType, contentLength: contentLength,
            keepAlive: keepAlive, extraHeaders: extraHeaders, date: date, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test("a keep-alive 200 with a body has exact bytes and no Connection field")
    func ok200KeepAlive() {
        #expect(head(.ok, contentType: "application/json", contentLength: 27) == """
            HTTP/1.1 200 OK\r
            Date: Sun, 06 Nov 1994 08:49:37 GMT\r
            Content-Type: application/json\r
            Content-Length: 27\r
            \r

            """)
    }

    @Test("an HTTP/1.0 client kept alive is told keep-alive, still in an HTTP/1.1 status line")
    func http10KeepAlive() {
        #expect(head(.ok, version: .http1_0, contentLength: 0) == """
            HTTP/1.1 200 OK\r
            Date: Sun, 06 Nov 1994 08:49:37 GMT\r
            Content-Length: 0\r
            Connection: keep-alive\r
            \r

            """)
    }

    @Test("closing responses say Connection: close, for either version")
    func close() {
        let expected = """
            HTTP/1.1 400 Bad Request\r
            Date: Sun, 06 Nov 1994 08:49:37 GMT\r
            Content-Type: application/json\r
            Content-Length: 1234567890\r
            Connection: close\r
            \r

            """
        #expect(head(.badRequest, contentType: "application/json", contentLength: 1_234_567_890, keepAlive: false) == expected)
        #expect(head(.badRequest, version: .http1_0, contentType: "application/json", contentLength: 1_234_567_890,
                     keepAlive: false) == expected)
    }

    @Test("204 and 1xx carry no Content-Length")
    func noContentLength() {
        #expect(head(.noContent, contentLength: 5) == "HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n")
        let upgrade = head(.switchingProtocols, extraHeaders: [("Upgrade", "websocket"), ("Connection", "Upgrade")])
        #expect(upgrade == """
            HTTP/1.1 101 Switching Protocols\r
            Date: Sun, 06 Nov 1994 08:49:37 GMT\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            \r

            """)
    }

    @Test("extra headers keep their order and cannot inject lines")
    func extraHeadersSanitised() {
        let text = head(.ok, extraHeaders: [("X-A", "1"), ("X-B", "evil\r\nSet-Cookie: x"), ("X-C\n", "\u{0}\t3")])
        #expect(text.hasSuffix("Content-Length: 0\r\nX-A: 1\r\nX-B: evil  Set-Cookie: x\r\nX-C : \u{20}\t3\r\n\r\n"))
    }

    @Test("writing into a buffer with capacity does not reallocate it")
    func noReallocation() {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        let before = out.withUnsafeBufferPointer { $0.baseAddress }
        for _ in 0..<3 {
            out.removeAll(keepingCapacity: true)
            HTTPResponseEncoder.writeHead(
                status: .ok, version: .http1_1, contentType: "text/plain", contentLength: 2, keepAlive: true,
                extraHeaders: [], date: date, into: &out)
        }
        #expect(out.withUnsafeBufferPointer { $0.baseAddress } == before)
    }

    @Test("a response's prebuilt status and Content-Type lines encode exactly as writing each field does")
    func prebuiltLinesMatch() {
        let responses: [HTTPResponse] = [
            .json(.ok, Array(#"{"status":"ok"}"#.utf8)),
            .error(.methodNotAllowed, code: "x", message: "y", headers: [("Allow", "GET, HEAD")]),
            HTTPResponse(status: .noContent),
            HTTPResponse(status: HTTPStatus(code: 299, reasonPhrase: "Odd\r\nX-Evil: 1"), contentType: "text/plain\r\nX: y",
                         headers: [("X-A", "1")], body: Array(repeating: 0x61, count: 12_345)),
        ]
        for response in responses {
            for (version, keepAlive, overTLS) in [(HTTPVersion.http1_1, true, false), (.http1_0, true, true), (.http1_1, false, true)] {
                var expected: [UInt8] = []
                HTTPResponseEncoder.writeHead(
                    status: response.status, version: version, contentType: response.contentType,
                    contentLength: response.body.count, keepAlive: keepAlive, extraHeaders: response.headers,
                    overTLS: overTLS, date: date, into: &expected)
                var prebuilt: [UInt8] = []
                HTTPResponseEncoder.writeHead(of: response, version: version, keepAlive: keepAlive, overTLS: overTLS,
                                              date: date, into: &prebuilt)
                #expect(String(decoding: prebuilt, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
            }
        }
        #expect(String(decoding: HTTPStatus(code: 299, reasonPhrase: "Odd\r\nX").statusLine, as: UTF8.self) == "HTTP/1.1 299 Odd  X\r\n")
    }

    @Test("changing a response's Content-Type rebuilds its prebuilt line and keeps the other fields")
    func contentTypeLineFollowsChanges() {
        var response = HTTPResponse.json(.ok, [])
        response.contentType = "text/plain"
        #expect(response.storage.contentTypeLine == Array("Content-Type: text/plain\r\n".utf8))
        #expect(response.status == .ok && response.body.isEmpty)
        response.contentType = nil
        #expect(response.storage.contentTypeLine.isEmpty)
    }

    @Test("the 100 Continue interim response has exact bytes")
    func continueBytes() {
        #expect(HTTPResponseEncoder.continueResponse == Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
    }
}
