import HTTPServer
import Testing
import TestSupport

struct ServerLoopbackTests {
    @Test("keep-alive serves many requests on one connection")
    func keepAliveServesManyRequests() throws {
        try withTestServer { port, server in
            let client = try TCPClient(port: port)
            for _ in 0..<50 {
                try client.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
                let response = try #require(client.readResponse())
                #expect(response.status == 200)
                #expect(response.text == #"{"status":"ok"}"#)
                #expect(response.header("Date") != nil)
                #expect(response.header("Connection") == nil)
            }
            #expect(server.counters.acceptedConnections == 1)
        }
    }

    @Test("a hundred pipelined requests in one write are answered in order")
    func pipelinedRequestsAnswerInOrder() throws {
        try withTestServer { port, _ in
            let client = try TCPClient(port: port)
            var batch = ""
            for i in 0..<100 { batch += "GET /items/\(i) HTTP/1.1\r\nHost: t\r\n\r\n" }
            try client.send(batch)
            for i in 0..<100 {
                let response = try #require(client.readResponse())
                #expect(response.text == "{\"id\":\"\(i)\"}")
            }
        }
    }

    @Test("asynchronous responses keep pipelined order")
    func asynchronousResponsesKeepOrder() throws {
        try withTestServer { port, _ in
            let client = try TCPClient(port: port)
            try client.send("POST /later/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\nGET /items/2 HTTP/1.1\r\nHost: t\r\n\r\nPOST /later/3 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(client.readResponse()?.text == #"{"n":"1"}"#)
            #expect(client.readResponse()?.text == #"{"id":"2"}"#)
            #expect(client.readResponse()?.text == #"{"n":"3"}"#)
        }
    }

    @Test("a chunked body with a trailer is decoded")
    func chunkedBodyIsDecoded() throws {
        try withTestServer { port, _ in
            let client = try TCPClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n")
            let response = try #require(client.readResponse())
            #expect(response.text == "hello world")
        }
    }

    @Test("Expect: 100-continue gets 100 before the body is sent")
    func expectContinueGets100() throws {
        try withTestServer { port, _ in
            let client = try TCPClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            #expect(client.readResponse()?.status == 100)
            try client.send("ping")
            #expect(client.readResponse()?.text == "ping")
        }
    }

    @Test("HEAD gets the GET headers without a body")
    func headHasNoBody() throws {
        try withTestServer { port, _ in
            let client = try TCPClient(port: port)
            try client.send("HEAD /livez HTTP/1.1\r\nHost: t\r\n\r\nGET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            let head = try #require(client.readResponse(isHead: true))
            #expect(head.header("Content-Length") == "15")
            #expect(head.body.isEmpty)
            #expect(client.readResponse()?.text == #"{"status":"ok"}"#)
        }
    }

    @Test("Connection: close is answered with Connection: close and a close")
    func connectionCloseIsHonoured() throws {
        try withTestServer { port, _ in
            let client = try TCPClient(port: port)
            try client.send("GET /livez HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(client.readResponse()?.header("Connection") == "close")
            #expect(client.isClosedByPeer())
        }
    }

    @Test("HTTP/1.0 closes by default and keeps alive when asked")
    func http10KeepAliveRules() throws {
        try withTestServer { port, _ in
            let plain = try TCPClient(port: port)
            try plain.send("GET /livez HTTP/1.0\r\n\r\n")
            #expect(plain.readResponse()?.status == 200)
            #expect(plain.isClosedByPeer())
            let keepAlive = try TCPClient(port: port)
            try keepAlive.send("GET /livez HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(keepAlive.readResponse()?.header("Connection")?.lowercased() == "keep-alive")
            try keepAlive.send("GET /livez HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(keepAlive.readResponse()?.status == 200)
        }
    }

    @Test("unknown paths get a JSON 404 and wrong methods a 405 with Allow")
    func routingErrors() throws {
        try withTestServer { port, _ in
            let client = try TCPClient(port: port)
            try client.send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n")
            let notFound = try #require(client.readResponse())
            #expect(notFound.status == 404)
            #expect(notFound.text.contains(#""code":"not_found""#))
            try client.send("DELETE /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            let notAllowed = try #require(client.readResponse())
            #expect(notAllowed.status == 405)
            #expect(notAllowed.header("Allow") == "GET, HEAD")
        }
    }
}
