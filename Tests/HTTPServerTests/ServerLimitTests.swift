import HTTPServer
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Each bad-input rule of DESIGN §1.8 over a real socket: the status, the close, and that
/// the server keeps serving others.
struct ServerLimitTests {
    func expectRejected(_ request: String, status: Int, limits: HTTPLimits = HTTPLimits()) throws {
        try withTestServer(limits: limits) { port, _ in
            let client = try TCPClient(port: port)
            try client.send(request)
            let response = try #require(client.readResponse())
            #expect(response.status == status)
            #expect(response.header("Connection") == "close")
            #expect(response.text.hasPrefix(#"{"error":{"code":"#))
            #expect(client.isClosedByPeer())
            let other = try TCPClient(port: port)
            try other.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(other.readResponse()?.status == 200)
        }
    }

    @Test("a malformed request line gets 400 and a close")
    func malformedRequestLineGets400() throws {
        try expectRejected("GET\r\n\r\n", status: 400)
    }

    @Test("a header section past the limit gets 431")
    func oversizedHeadersGet431() throws {
        var limits = HTTPLimits()
        limits.maxHeaderBytes = 1024
        try expectRejected("GET /livez HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "a", count: 2000))\r\n\r\n", status: 431, limits: limits)
    }

    @Test("a request target past the limit gets 414")
    func longURIGets414() throws {
        var limits = HTTPLimits()
        limits.maxURIBytes = 100
        try expectRejected("GET /\(String(repeating: "a", count: 200)) HTTP/1.1\r\nHost: t\r\n\r\n", status: 414, limits: limits)
    }

    @Test("a body past the limit gets 413")
    func oversizedBodyGets413() throws {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 10
        try expectRejected("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world", status: 413, limits: limits)
    }

    @Test("Content-Length with Transfer-Encoding gets 400 and a close")
    func smugglingAttemptGets400() throws {
        try expectRejected("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400)
    }

    @Test("an unsupported HTTP version gets 505")
    func unsupportedVersionGets505() throws {
        try expectRejected("GET /livez HTTP/2.0\r\nHost: t\r\n\r\n", status: 505)
    }

    @Test("slow headers get 408 and a close")
    func slowHeadersGet408() throws {
        var limits = HTTPLimits()
        limits.headerReadTimeout = .milliseconds(200)
        try expectRejected("GET /livez HTTP/1.1\r\nHost: t\r\n", status: 408, limits: limits)
    }

    @Test("a body that stops arriving gets 408 and a close")
    func slowBodyGets408() throws {
        var limits = HTTPLimits()
        limits.bodyReadTimeout = .milliseconds(200)
        try expectRejected("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc", status: 408, limits: limits)
    }

    @Test("a client that reads nothing of a large response is closed after the write timeout; others are served")
    func stalledReaderIsClosed() throws {
        var limits = HTTPLimits()
        limits.writeTimeout = .milliseconds(300)
        try withTestServer(limits: limits) { port, server in
            let client = try TCPClient(port: port, timeout: .seconds(10))
            try client.send("GET /huge HTTP/1.1\r\nHost: t\r\n\r\n")
            let other = try TCPClient(port: port)
            try other.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(other.readResponse()?.status == 200)
            // Wait (without reading) until the server has let the stalled client go.
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(20))
            while server.counters.openConnections > 1 && clock.now < deadline {
                usleep(10_000)
            }
            #expect(server.counters.openConnections == 1)
            // Reading now gets what the kernel buffers took, then the end: not 8 MiB.
            var received = 0
            while let bytes = client.readRaw() { received += bytes.count }
            #expect(received < 8 << 20)
            try other.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(other.readResponse()?.status == 200)
        }
    }

    @Test("past maxConnections new connections are closed and old ones kept")
    func connectionLimitRefusesNewOnes() throws {
        var limits = HTTPLimits()
        limits.maxConnections = 2
        try withTestServer(limits: limits) { port, server in
            let first = try TCPClient(port: port)
            let second = try TCPClient(port: port)
            try first.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            try second.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(first.readResponse()?.status == 200)
            #expect(second.readResponse()?.status == 200)
            let third = try TCPClient(port: port)
            #expect(third.isClosedByPeer())
            try first.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(first.readResponse()?.status == 200)
            #expect(server.counters.refusedConnections == 1)
        }
    }

    @Test("a client that disconnects mid-request does not disturb others")
    func midRequestDisconnectIsHarmless() throws {
        try withTestServer { port, server in
            do {
                let client = try TCPClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc")
            }
            let other = try TCPClient(port: port)
            try other.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(other.readResponse()?.status == 200)
        }
    }
}
