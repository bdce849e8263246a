import EventLoop
import HTTPServer
import Synchronization
import Testing
import TestSupport

/// The response observer hook: one report per response, naming the route's number (so the
/// application can label by pattern), the method, the status and the time taken.
struct HTTPRequestObserverTests {
    final class RecordingObserver: HTTPRequestObserver {
        let records = Mutex<[HTTPResponseRecord]>([])
        func responseQueued(_ response: HTTPResponseRecord) {
            records.withLock { $0.append(response) }
        }
        var all: [HTTPResponseRecord] { records.withLock { $0 } }
    }

    private func withObservedServer(router: HTTPRouter = testRouter(), clock: any LoopClock = MonotonicClock(),
                                    _ body: (UInt16, RecordingObserver) throws -> Void) throws {
        let observer = RecordingObserver()
        let server = Server(router: router, limits: HTTPLimits(), eventLoops: 1, clock: clock, observer: observer)
        let port = try server.start(listen: [("127.0.0.1", 0)])[0].port
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        try body(port, observer)
    }

    @Test("each response reports the matched route's number, the method and the status")
    func responsesReportRouteMethodAndStatus() throws {
        let router = testRouter()
        try withObservedServer(router: router) { port, observer in
            let client = try TCPClient(port: port)
            for request in ["GET /livez", "GET /items/42", "HEAD /livez", "GET /nope", "PUT /livez"] {
                try client.send(request + " HTTP/1.1\r\nHost: t\r\n\r\n")
                _ = try #require(client.readResponse(isHead: request.hasPrefix("HEAD")))
            }
            try client.send("POST /later/7 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            _ = try #require(client.readResponse())
            let seen = observer.all.map { [$0.route.map { router.patterns[$0].pattern } ?? "-", $0.method?.name ?? "-", "\($0.statusCode)"] }
            #expect(seen == [["/livez", "GET", "200"], ["/items/{id}", "GET", "200"], ["/livez", "HEAD", "200"],
                             ["-", "GET", "404"], ["-", "PUT", "405"], ["/later/{n}", "POST", "200"]])
        }
    }

    @Test("a malformed request line is reported with no route and no method")
    func malformedRequestHasNoRouteOrMethod() throws {
        try withObservedServer { port, observer in
            let client = try TCPClient(port: port)
            try client.send("NOT A REQUEST\r\n\r\n")
            #expect(client.readResponse()?.status == 400)
            let records = observer.all
            #expect(records.count == 1)
            #expect(records.first?.route == nil && records.first?.method == nil && records.first?.statusCode == 400)
        }
    }

    @Test("the duration runs on the loop's clock from the request to its asynchronous answer")
    func durationUsesTheLoopClock() throws {
        let clock = ManualClock()
        var router = HTTPRouter()
        router.add(.get, "/slow", .asynchronous { _, responder in
            LoopThread(name: "test-responder") {
                clock.advance(by: .milliseconds(250))
                responder.respond(.json(.ok, Array("{}".utf8)))
            }.join()
        })
        try withObservedServer(router: router, clock: clock) { port, observer in
            let client = try TCPClient(port: port)
            try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(client.readResponse()?.status == 200)
            #expect(observer.all.map(\.duration) == [.milliseconds(250)])
        }
    }
}
