import EventLoop
@testable import HTTPServer
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A drain (SIGTERM) on a real connection: no request the client sent before it is lost
/// (found by the SIGTERM-under-load fault-injection test).
struct HTTPConnectionDrainTests {
    /// Holds the responders of `/held` requests until the test answers them.
    final class HeldResponders: Sendable {
        let responders = Mutex<[HTTPResponder]>([])

        func answerOldest(_ text: String) {
            let responder = responders.withLock { $0.removeFirst() }
            responder.respond(.json(.ok, Array(text.utf8)))
        }

        var count: Int { responders.withLock { $0.count } }
    }

    static func router(holding held: HeldResponders) -> HTTPRouter {
        var router = testRouter()
        router.add(.get, "/held", .asynchronous { _, responder in held.responders.withLock { $0.append(responder) } })
        return router
    }

    @Test("a request waiting unread in the socket when the drain starts is answered, with Connection: close")
    func unreadRequestIsAnswered() throws {
        let harness = try ConnectionHarness(limits: HTTPLimits())
        try harness.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try harness.received()
        #expect(first.text.hasPrefix("HTTP/1.1 200 OK\r\n") && !first.text.contains("Connection: close"))
        // The next request reaches the socket, but the loop has not read it when the drain begins.
        try RawSocket.write(harness.pair.client, "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        harness.context.beginDrain(loop: harness.loop, gracePeriod: .seconds(5))
        harness.loop.runUntilIdle()
        let second = try harness.received()
        #expect(second.text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(second.text.contains("Connection: close\r\n"))
        #expect(second.isClosed)
        #expect(harness.context.openConnections == 0)
    }

    @Test("an idle connection with nothing unread still closes at once in a drain")
    func idleConnectionCloses() throws {
        let harness = try ConnectionHarness(limits: HTTPLimits())
        try harness.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try harness.received()
        harness.context.beginDrain(loop: harness.loop, gracePeriod: .seconds(5))
        harness.loop.runUntilIdle()
        let after = try harness.received()
        #expect(after.text.isEmpty && after.isClosed)
        #expect(harness.context.openConnections == 0)
    }

    @Test("requests pipelined behind one in flight, already read, are all answered; only the last says Connection: close")
    func pipelinedRequestsAreAnswered() throws {
        let held = HeldResponders()
        let harness = try ConnectionHarness(limits: HTTPLimits(), router: Self.router(holding: held))
        try harness.send("GET /held HTTP/1.1\r\nHost: x\r\n\r\nGET /held HTTP/1.1\r\nHost: x\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(held.count == 1)
        harness.context.beginDrain(loop: harness.loop, gracePeriod: .seconds(5))
        harness.loop.runUntilIdle()
        held.answerOldest(#"{"n":1}"#)
        harness.loop.runUntilIdle()
        #expect(held.count == 1)
        held.answerOldest(#"{"n":2}"#)
        harness.loop.runUntilIdle()
        let answer = try harness.received()
        let heads = answer.text.split(separator: "HTTP/1.1 200 OK\r\n")
        #expect(heads.count == 3)
        #expect(heads.map { $0.contains("Connection: close\r\n") } == [false, false, true])
        #expect(answer.text.contains(#"{"n":1}"#) && answer.text.contains(#"{"n":2}"#))
        #expect(answer.isClosed)
        #expect(harness.context.openConnections == 0)
    }
}
