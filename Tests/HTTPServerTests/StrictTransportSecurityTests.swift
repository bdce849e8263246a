import EventLoop
import HTTPServer
import Testing
import TestSupport

/// HSTS (RFC 6797): every response over TLS carries `Strict-Transport-Security`, and no
/// response in plain text does.
struct StrictTransportSecurityTests {
    private let date = HTTPDateCache(epochSeconds: 784_111_777)

    @Test("the encoder writes the HSTS line before the blank line over TLS, and never in plain text")
    func encoderLine() {
        var tls: [UInt8] = []
        HTTPResponseEncoder.writeHead(status: .ok, version: .http1_1, contentType: nil, contentLength: 0, keepAlive: true,
                                      extraHeaders: [], overTLS: true, date: date, into: &tls)
        #expect(String(decoding: tls, as: UTF8.self) == """
            HTTP/1.1 200 OK\r
            Date: Sun, 06 Nov 1994 08:49:37 GMT\r
            Content-Length: 0\r
            Strict-Transport-Security: max-age=31536000\r
            \r

            """)
        var plain: [UInt8] = []
        HTTPResponseEncoder.writeHead(status: .ok, version: .http1_1, contentType: nil, contentLength: 0, keepAlive: true,
                                      extraHeaders: [], date: date, into: &plain)
        #expect(!String(decoding: plain, as: UTF8.self).contains("Strict-Transport-Security"))
    }

    @Test("responses over TLS, errors included, carry Strict-Transport-Security: max-age=31536000")
    func tlsResponsesCarryHSTS() throws {
        let files = try TLSTestFiles()
        let (certificate, key) = try files.makeCertificate("server", commonName: "modeld-test")
        try withTLSTestServer(try TLSContext(certificateFile: certificate, keyFile: key)) { port, _ in
            let client = try TLSTestClient.connected(port: port, trusting: certificate)
            for path in ["/livez", "/nope"] {
                try client.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
                let response = try #require(client.readResponse())
                #expect(response.header("Strict-Transport-Security") == "max-age=31536000", "\(path)")
            }
        }
    }

    @Test("plain HTTP, and a plain-text client on the TLS port, get no Strict-Transport-Security")
    func plainResponsesDoNot() throws {
        try withTestServer { port, _ in
            let client = try TCPClient(port: port)
            try client.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try #require(client.readResponse())
            #expect(response.status == 200)
            #expect(response.header("Strict-Transport-Security") == nil)
        }
        let files = try TLSTestFiles()
        let (certificate, key) = try files.makeCertificate("server", commonName: "modeld-test")
        try withTLSTestServer(try TLSContext(certificateFile: certificate, keyFile: key)) { port, _ in
            let client = try TCPClient(port: port)
            try client.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try #require(client.readResponse())
            #expect(response.status == 400)
            #expect(response.header("Strict-Transport-Security") == nil)
        }
    }

    @Test("a 101 Switching Protocols over TLS carries the HSTS line once, inside its head")
    func upgradeOverTLSCarriesHSTS() throws {
        let files = try TLSTestFiles()
        let (certificate, key) = try files.makeCertificate("server", commonName: "modeld-test")
        var router = testRouter()
        let head = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: idle\r\nConnection: Upgrade\r\n\r\n".utf8)
        router.add(.get, "/upgrade", .upgrade { _ in
            .accept(HTTPUpgradeAcceptance(responseHead: head) { IdleProtocolHandler(socket: $0) })
        })
        let server = Server(router: router, limits: HTTPLimits(), eventLoops: 1,
                            tls: try TLSContext(certificateFile: certificate, keyFile: key))
        let port = try server.start(listen: [("127.0.0.1", 0)])[0].port
        defer { server.shutdown(gracePeriod: .seconds(1)) }
        let client = try TLSTestClient.connected(port: port, trusting: certificate)
        try client.send("GET /upgrade HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: idle\r\n\r\n")
        let switching = try #require(client.readResponse())
        #expect(switching.status == 101)
        #expect(switching.header("Upgrade") == "idle")
        #expect(switching.header("Strict-Transport-Security") == "max-age=31536000")
        #expect(switching.headers.filter { $0.name == "Strict-Transport-Security" }.count == 1)
    }
}

/// A protocol that writes the `101` it was handed, reads nothing and closes when the server
/// drains (the upgrade test only looks at the `101`).
private final class IdleProtocolHandler: DrainableConnection {
    let socket: UpgradedSocket
    private var isClosed = false

    init(socket: UpgradedSocket) {
        self.socket = socket
        socket.loop.modify(socket.registration, interest: [])
        // A short TLS head: one write takes it all, as the test needs nothing else.
        _ = socket.pendingOutput.withUnsafeBytes { try? socket.transport.write(socket.registration.fd, $0) }
    }

    func handleEvent(_ events: PollEvents, loop: EventLoop) {
        if events.contains(.error) || events.contains(.hangup) { forceClose(loop: loop) }
    }

    func deadlineReached(at now: LoopInstant, loop: EventLoop) {}

    func drain(loop: EventLoop) { forceClose(loop: loop) }

    func forceClose(loop: EventLoop) {
        guard !isClosed else { return }
        isClosed = true
        socket.transport.close()
        loop.deregister(socket.registration)
        socket.release(loop)
    }
}
