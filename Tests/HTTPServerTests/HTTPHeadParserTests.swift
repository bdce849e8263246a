import HTTPServer
import TestSupport
import Testing

struct HTTPHeadParserTests {
    @Test("a minimal HTTP/1.1 GET parses with offsets into the buffer")
    func minimalGet() {
        let head = expectHead("GET /livez HTTP/1.1\r\nHost: localhost:8080\r\n\r\n")
        #expect(head?.method == .get)
        #expect(head?.target == "/livez")
        #expect(head?.path == "/livez")
        #expect(head?.query == nil)
        #expect(head?.version == .http1_1)
        #expect(head?.fields == [.init(name: "Host", value: "localhost:8080")])
        #expect(head?.contentLength == nil)
        #expect(head?.isChunked == false)
        #expect(head?.keepAlive == true)
    }

    @Test("the RFC 9110 §6 example request keeps every field in order")
    func rfc9110Example() {
        let head = expectHead("""
            GET /hello.txt HTTP/1.1\r
            User-Agent: curl/7.64.1\r
            Host: www.example.com\r
            Accept-Language: en, mi\r
            \r

            """)
        #expect(head?.fields.map(\.name) == ["User-Agent", "Host", "Accept-Language"])
        #expect(head?.fields.map(\.value) == ["curl/7.64.1", "www.example.com", "en, mi"])
    }

    @Test("the RFC 9112 §3.2 target forms are accepted and the query is split off")
    func targetForms() {
        let origin = expectHead("GET /where?q=now HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
        #expect(origin?.path == "/where")
        #expect(origin?.query == "q=now")
        let absolute = expectHead(
            "GET http://www.example.org/pub/WWW/TheProject.html HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
        #expect(absolute?.target == "http://www.example.org/pub/WWW/TheProject.html")
        let authority = expectHead("CONNECT www.example.com:80 HTTP/1.1\r\nHost: www.example.com:80\r\n\r\n")
        #expect(authority?.method == .other("CONNECT"))
        let asterisk = expectHead("OPTIONS * HTTP/1.1\r\nHost: www.example.org:8001\r\n\r\n")
        #expect(asterisk?.method == .options)
        #expect(asterisk?.target == "*")
    }

    @Test("an empty query after '?' is an empty range, not nil")
    func emptyQuery() {
        let head = expectHead("GET /a? HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(head?.path == "/a")
        #expect(head?.query == "")
    }

    @Test("every common method is its own case and others keep their spelling")
    func methods() {
        let cases: [(String, HTTPMethod)] = [
            ("GET", .get), ("HEAD", .head), ("POST", .post), ("PUT", .put), ("DELETE", .delete),
            ("OPTIONS", .options), ("PATCH", .patch), ("TRACE", .other("TRACE")), ("get", .other("get")),
        ]
        for (spelling, method) in cases {
            let head = expectHead("\(spelling) / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(head?.method == method)
            #expect(method.name == spelling)
        }
    }

    @Test("field values are trimmed of OWS and may be empty")
    func valuesTrimmed() {
        let head = expectHead("GET / HTTP/1.1\r\nHost:x\r\nX-A: \t a b \t\r\nX-Empty:\r\nX-Obs: caf\u{E9}\r\n\r\n")
        #expect(head?.fields.map(\.value) == ["x", "a b", "", "caf\u{E9}"])
    }

    @Test("duplicate fields are all kept and firstValue finds the first, ignoring case")
    func duplicatesKept() throws {
        let text = "GET / HTTP/1.1\r\nHost: x\r\nAccept: a\r\naccept: b\r\n\r\n"
        let head = expectHead(text)
        #expect(head?.fields.count == 3)
        var parser = HTTPHeadParser(limits: HTTPLimits())
        try Array(text.utf8).withUnsafeBytes { buffer in
            _ = try parser.parse(buffer)
            let value = try #require(parser.head.firstValue(named: "ACCEPT", in: buffer))
            #expect(Array(buffer[value]) == Array("a".utf8))
            #expect(parser.head.firstValue(named: "Accept-Encoding", in: buffer) == nil)
            #expect(parser.head.firstValue(named: "Accep", in: buffer) == nil)
        }
    }

    @Test("empty lines before the request line are skipped and counted in consumed")
    func leadingEmptyLines() {
        let head = expectHead("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(head?.target == "/")
    }

    @Test("HEAD parses as .head")
    func headMethod() {
        #expect(expectHead("HEAD /livez HTTP/1.1\r\nHost: x\r\n\r\n")?.method == .head)
    }

    @Test("HTTP/1.1 keeps the connection unless Connection has close")
    func keepAlive11() {
        #expect(expectHead("GET / HTTP/1.1\r\nHost: x\r\n\r\n")?.keepAlive == true)
        #expect(expectHead("GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n")?.keepAlive == false)
        #expect(expectHead("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, close\r\n\r\n")?.keepAlive == false)
    }

    @Test("HTTP/1.0 closes unless Connection has keep-alive, and needs no Host")
    func keepAlive10() {
        #expect(expectHead("GET / HTTP/1.0\r\n\r\n")?.keepAlive == false)
        let head = expectHead("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
        #expect(head?.keepAlive == true)
        #expect(head?.version == .http1_0)
        #expect(expectHead("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n")?.keepAlive == false)
    }

    @Test("HTTP/1.x with a minor version above 1 is served as 1.1")
    func laterMinorVersion() {
        #expect(expectHead("GET / HTTP/1.9\r\nHost: x\r\n\r\n")?.version == .http1_1)
    }

    @Test("Expect: 100-continue is flagged for 1.1 and ignored for 1.0")
    func expectContinue() {
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n")?
            .expectsContinue == true)
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n")?.expectsContinue == false)
        #expect(expectHead("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")?
            .expectsContinue == false)
    }

    @Test("an upgrade needs both the Connection token and the Upgrade field")
    func upgradeFlag() {
        let websocket = """
            GET /ws HTTP/1.1\r
            Host: x\r
            Connection: keep-alive, Upgrade\r
            Upgrade: websocket\r
            \r

            """
        #expect(expectHead(websocket)?.isUpgradeRequest == true)
        #expect(expectHead("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n")?.isUpgradeRequest == false)
        #expect(expectHead("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\n\r\n")?.isUpgradeRequest == false)
        #expect(expectHead("GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n")?
            .isUpgradeRequest == false)
    }

    @Test("Content-Length is read, and identical repeats or lists are accepted")
    func contentLength() {
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 42\r\n\r\n")?.contentLength == 42)
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 42, 42\r\n\r\n")?.contentLength == 42)
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\ncontent-length: 007\r\n\r\n")?
            .contentLength == 7)
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")?.contentLength == 0)
    }

    @Test("a Content-Length too large for Int saturates instead of overflowing")
    func hugeContentLength() {
        let head = expectHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999999\r\n\r\n")
        #expect(head?.contentLength == Int.max)
        #expect(throws: HTTPParseError.bodyTooLarge) {
            try HTTPBodyDecoder(framing: .contentLength(Int.max), maxBodyBytes: 1 << 20)
        }
    }

    @Test("Transfer-Encoding chunked is recognised in any case")
    func chunked() {
        #expect(expectHead("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n")?.isChunked == true)
    }

    @Test("pipelined heads: consumed stops at the end of the first")
    func pipelined() {
        let first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
        let bytes = Array((first + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n").utf8)
        let report = feedHead(bytes)
        #expect(report.inconsistentSplits.isEmpty)
        guard case .complete(let consumed, let head) = report.output else {
            Issue.record("expected a head, got \(report.output)")
            return
        }
        #expect(consumed == first.utf8.count)
        #expect(head.target == "/a")
        for (split, outcome) in report.outcomes {
            #expect(outcome.prefixLength >= first.utf8.count, "\(split)")
        }
    }
}
