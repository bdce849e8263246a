import EventLoop
@testable import HTTPServer
import Synchronization
import Testing
import TestSupport

/// `HTTPUpgrade.respondLater` (an upgrade route that long-polls instead, as Engine.IO's GET
/// does) and the `DrainListeners` a drain runs first.
struct HTTPRespondLaterTests {
    final class Held: Sendable {
        let responders = Mutex<[HTTPResponder]>([])

        func answerOldest(_ text: String) {
            let responder = responders.withLock { $0.removeFirst() }
            responder.respond(.json(.ok, Array(text.utf8)))
        }

        var count: Int { responders.withLock { $0.count } }
    }

    static func router(_ held: Held, answerOnDrain: Bool) -> HTTPRouter {
        var router = testRouter()
        router.add(.get, "/later", .upgrade { _ in
            .respondLater { responder, loop in
                held.responders.withLock { $0.append(responder) }
                if answerOnDrain { DrainListeners.of(loop).add { _ in held.answerOldest(#"{"drained":true}"#) } }
            }
        })
        return router
    }

    @Test("a request answered later gets its response on the same keep-alive connection")
    func answeredLater() throws {
        let held = Held()
        let harness = try ConnectionHarness(limits: HTTPLimits(), router: Self.router(held, answerOnDrain: false))
        try harness.send("GET /later HTTP/1.1\r\nHost: x\r\n\r\n")
        harness.loop.runUntilIdle()
        #expect(held.count == 1)
        #expect(try harness.received().text.isEmpty)
        held.answerOldest(#"{"ok":1}"#)
        harness.loop.runUntilIdle()
        let answer = try harness.received()
        #expect(answer.text.hasPrefix("HTTP/1.1 200 OK\r\n") && answer.text.hasSuffix(#"{"ok":1}"#))
        #expect(!answer.isClosed && !answer.text.contains("Connection: close"))
        try harness.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try harness.received().text.hasPrefix("HTTP/1.1 200 OK\r\n"))
    }

    @Test("a drain runs the loop's drain listeners first, so a held request is answered and closes at once")
    func drainListenersAnswerHeldRequests() throws {
        let held = Held()
        let harness = try ConnectionHarness(limits: HTTPLimits(), router: Self.router(held, answerOnDrain: true))
        try harness.send("GET /later HTTP/1.1\r\nHost: x\r\n\r\n")
        harness.loop.runUntilIdle()
        #expect(held.count == 1)
        harness.context.beginDrain(loop: harness.loop, gracePeriod: .seconds(60))
        harness.loop.runUntilIdle()
        let answer = try harness.received()
        #expect(answer.text.hasPrefix("HTTP/1.1 200 OK\r\n") && answer.text.contains("Connection: close\r\n"))
        #expect(answer.text.hasSuffix(#"{"drained":true}"#) && answer.isClosed)
        #expect(harness.context.openConnections == 0)
    }
}
