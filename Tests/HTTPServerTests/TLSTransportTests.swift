import HTTPServer
import Testing
import TestSupport

struct TLSTransportTests {
    @Test("keep-alive requests over TLS share one connection and negotiate http/1.1 by ALPN")
    func keepAliveOverTLS() throws {
        let files = try TLSTestFiles()
        let (certificate, key) = try files.makeCertificate("server", commonName: "modeld-test")
        try withTLSTestServer(try TLSContext(certificateFile: certificate, keyFile: key)) { port, server in
            let client = try TLSTestClient(port: port, trusting: certificate, alpn: ["h2", "http/1.1"])
            #expect(client.handshake(), "\(client.handshakeFailure ?? "")")
            #expect(client.negotiatedProtocol == "http/1.1")
            for _ in 0..<20 {
                try client.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
                let response = try #require(client.readResponse())
                #expect(response.status == 200)
                #expect(response.text == #"{"status":"ok"}"#)
            }
            #expect(server.counters.acceptedConnections == 1)
        }
    }

    @Test("a client offering no ALPN is served; one offering only h2 is refused (RFC 7301 §3.2)")
    func alpnWithoutHTTP11IsRefused() throws {
        let files = try TLSTestFiles()
        let (certificate, key) = try files.makeCertificate("server", commonName: "modeld-test")
        try withTLSTestServer(try TLSContext(certificateFile: certificate, keyFile: key)) { port, _ in
            let noALPN = try TLSTestClient(port: port, trusting: certificate, alpn: [])
            #expect(noALPN.handshake())
            #expect(noALPN.negotiatedProtocol == nil)
            try noALPN.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(noALPN.readResponse()?.status == 200)

            let onlyH2 = try TLSTestClient(port: port, trusting: certificate, alpn: ["h2"])
            #expect(!onlyH2.handshake())
            #expect(onlyH2.handshakeFailure?.contains("no application protocol") == true)
        }
    }

    @Test("a hundred pipelined requests in one TLS record are answered in order")
    func pipelinedRequestsOverTLS() throws {
        let files = try TLSTestFiles()
        let (certificate, key) = try files.makeCertificate("server", commonName: "modeld-test")
        try withTLSTestServer(try TLSContext(certificateFile: certificate, keyFile: key)) { port, _ in
            let client = try TLSTestClient.connected(port: port, trusting: certificate)
            var batch = ""
            for i in 0..<100 { batch += "GET /items/\(i) HTTP/1.1\r\nHost: t\r\n\r\n" }
            try client.send(batch)
            for i in 0..<100 {
                let response = try #require(client.readResponse())
                #expect(response.text == "{\"id\":\"\(i)\"}")
            }
        }
    }

    @Test("1 MiB responses arrive intact through partial and blocked TLS writes")
    func largeResponsesOverTLS() throws {
        let files = try TLSTestFiles()
        let (certificate, key) = try files.makeCertificate("server", commonName: "modeld-test")
        try withTLSTestServer(try TLSContext(certificateFile: certificate, keyFile: key)) { port, _ in
            let client = try TLSTestClient(port: port, trusting: certificate, receiveBufferBytes: 65536)
            #expect(client.handshake())
            // Six at once, read only after sending: more than the kernel's largest send
            // buffer (4 MiB), so the server's SSL_write blocks and resumes on EPOLLOUT.
            try client.send(String(repeating: "GET /big HTTP/1.1\r\nHost: t\r\n\r\n", count: 6))
            for _ in 0..<6 {
                let response = try #require(client.readResponse())
                #expect(response.status == 200)
                #expect(response.body.count == bigBody.count)
                #expect(response.body == bigBody)
            }
        }
    }

    @Test("a 1 MiB request body is read in full past the per-event read budget and echoed")
    func largeRequestBodyOverTLS() throws {
        let files = try TLSTestFiles()
        let (certificate, key) = try files.makeCertificate("server", commonName: "modeld-test")
        try withTLSTestServer(try TLSContext(certificateFile: certificate, keyFile: key)) { port, _ in
            let client = try TLSTestClient.connected(port: port, trusting: certificate)
            let body = Array(bigBody[..<1_000_000].reversed())
            try client.send(Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body,
                            recordBytes: 10_000)
            let response = try #require(client.readResponse())
            #expect(response.status == 200)
            #expect(response.body == body)
        }
    }

    @Test("Connection: close ends the TLS session with close_notify")
    func connectionCloseSendsCloseNotify() throws {
        let files = try TLSTestFiles()
        let (certificate, key) = try files.makeCertificate("server", commonName: "modeld-test")
        try withTLSTestServer(try TLSContext(certificateFile: certificate, keyFile: key)) { port, _ in
            let client = try TLSTestClient.connected(port: port, trusting: certificate)
            try client.send("GET /livez HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let response = try #require(client.readResponse())
            #expect(response.header("Connection") == "close")
            #expect(client.readUntilCloseNotify())
        }
    }

    @Test("plain HTTP to the TLS port gets 400 tls_required in plain text, then a close")
    func plainHTTPToTLSPortGets400() throws {
        let files = try TLSTestFiles()
        let (certificate, key) = try files.makeCertificate("server", commonName: "modeld-test")
        try withTLSTestServer(try TLSContext(certificateFile: certificate, keyFile: key)) { port, _ in
            let client = try TCPClient(port: port)
            try client.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try #require(client.readResponse())
            #expect(response.status == 400)
            #expect(response.header("Connection") == "close")
            #expect(response.text == #"{"error":{"code":"tls_required","message":"This port speaks HTTPS; use https://"}}"#)
            #expect(client.isClosedByPeer())
        }
    }

    @Test("a bogus ClientHello closes that connection and the next client is served")
    func bogusClientHelloClosesQuietly() throws {
        let files = try TLSTestFiles()
        let (certificate, key) = try files.makeCertificate("server", commonName: "modeld-test")
        try withTLSTestServer(try TLSContext(certificateFile: certificate, keyFile: key)) { port, server in
            let bogus = try TCPClient(port: port)
            // A handshake record header (type 22, TLS 1.0, 16 bytes) around garbage.
            try bogus.send([0x16, 0x03, 0x01, 0x00, 0x10] + [UInt8](repeating: 0xEE, count: 16))
            #expect(bogus.isClosedByPeer())

            let client = try TLSTestClient.connected(port: port, trusting: certificate)
            try client.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(client.readResponse()?.status == 200)
            #expect(server.counters.acceptedConnections == 2)
        }
    }

    @Test("a client limited to TLS 1.1 is refused with a protocol_version alert")
    func tls11IsRefused() throws {
        let files = try TLSTestFiles()
        let (certificate, key) = try files.makeCertificate("server", commonName: "modeld-test")
        try withTLSTestServer(try TLSContext(certificateFile: certificate, keyFile: key)) { port, _ in
            let client = try TLSTestClient(port: port, onlyTLS11: true)
            #expect(!client.handshake())
            // The alert came from the server: the client did offer TLS 1.1.
            #expect(client.handshakeFailure?.contains("alert protocol version") == true, "\(client.handshakeFailure ?? "")")
        }
    }
}
