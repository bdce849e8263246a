import HTTPServer
import Testing
import TestSupport

/// Absolute-form request targets over a real socket (RFC 9112 §3.2.2: a server MUST
/// accept them): routed by their path and query, the authority standing in for Host.
struct ServerAbsoluteFormTests {
    @Test("GET http://127.0.0.1:PORT/livez is answered like GET /livez, on a kept-alive connection")
    func absoluteLivez() throws {
        try withTestServer { port, _ in
            let client = try TCPClient(port: port)
            for _ in 0..<3 {
                try client.send("GET http://127.0.0.1:\(port)/livez HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
                let response = try #require(client.readResponse())
                #expect(response.status == 200)
                #expect(response.text == #"{"status":"ok"}"#)
                #expect(response.header("Connection") == nil)
            }
        }
    }

    @Test("handlers see the path, the query and the target's authority as the host")
    func handlersSeeAbsoluteForm() throws {
        try withTestServer { port, _ in
            let client = try TCPClient(port: port)
            try client.send("GET http://a.example/request-info?q=1 HTTP/1.1\r\nHost: b.example\r\n\r\n")
            #expect(client.readResponse()?.text == #"{"path":"/request-info","query":"q=1","host":"a.example"}"#)
            try client.send("GET HTTPS://a.example HTTP/1.1\r\nHost: a.example\r\n\r\n")
            #expect(client.readResponse()?.text == #"{"path":"/","query":"","host":"a.example"}"#)
            try client.send("GET /request-info HTTP/1.1\r\nHost: b.example\r\n\r\n")
            #expect(client.readResponse()?.text == #"{"path":"/request-info","query":"","host":"b.example"}"#)
            try client.send("GET http://a.example/nope HTTP/1.1\r\nHost: a.example\r\n\r\n")
            #expect(client.readResponse()?.status == 404)
        }
    }

    @Test("an absolute target of another scheme gets 400 invalid_target and a close; others are served")
    func otherSchemeRejected() throws {
        try withTestServer { port, _ in
            let client = try TCPClient(port: port)
            try client.send("GET ftp://a.example/livez HTTP/1.1\r\nHost: a.example\r\n\r\n")
            let response = try #require(client.readResponse())
            #expect(response.status == 400)
            #expect(response.text.contains(#""code":"invalid_target""#))
            #expect(client.isClosedByPeer())
            let other = try TCPClient(port: port)
            try other.send("GET http://t/livez HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(other.readResponse()?.status == 200)
        }
    }
}
