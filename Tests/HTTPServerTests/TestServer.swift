import EventLoop
import HTTPServer

/// Runs `body` against a real server on an ephemeral loopback port, then shuts it down
/// (Hummingbird's `testServer` shape).
func withTestServer(limits: HTTPLimits = HTTPLimits(), eventLoops: Int = 1,
                    _ body: (UInt16, Server) throws -> Void) throws {
    let server = Server(router: testRouter(), limits: limits, eventLoops: eventLoops)
    let addresses = try server.start(listen: [("127.0.0.1", 0)])
    defer { server.shutdown(gracePeriod: .seconds(2)) }
    try body(addresses[0].port, server)
}

/// Routes that exercise each handler kind.
func testRouter() -> HTTPRouter {
    var router = HTTPRouter()
    let ok = HTTPResponse.json(.ok, Array(#"{"status":"ok"}"#.utf8))
    router.add(.get, "/livez", .immediate { _ in ok })
    router.add(.post, "/echo", .synchronous { request in
        HTTPResponse(status: .ok, contentType: "application/octet-stream", body: request.body)
    })
    router.add(.get, "/items/{id}", .synchronous { request in
        .json(.ok, Array("{\"id\":\"\(request.pathParameters["id"] ?? "")\"}".utf8))
    })
    router.add(.post, "/later/{n}", .asynchronous { request, responder in
        // Answers from another thread, out of line with the loop.
        let n = request.pathParameters["n"] ?? ""
        LoopThread(name: "test-responder") {
            responder.respond(.json(.ok, Array("{\"n\":\"\(n)\"}".utf8)))
        }.join()
    })
    // What the server made of the request line: path, query and host (absolute-form tests).
    let requestInfo: HTTPHandler = .synchronous { request in
        var body = Array(#"{"path":"#.utf8)
        JSONText.appendString(request.path, to: &body)
        body += Array(#","query":"#.utf8)
        JSONText.appendString(request.query ?? "", to: &body)
        body += Array(#","host":"#.utf8)
        JSONText.appendString(request.host ?? "", to: &body)
        body += Array("}".utf8)
        return .json(.ok, body)
    }
    router.add(.get, "/", requestInfo)
    router.add(.get, "/request-info", requestInfo)
    // A response far over the output high-water mark and any socket buffer.
    let big = HTTPResponse(status: .ok, contentType: "application/octet-stream", body: [UInt8](repeating: 0x61, count: 8 << 20))
    router.add(.get, "/huge", .immediate { _ in big })
    return router
}
