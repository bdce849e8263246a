import EventLoop
@testable import HTTPServer
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Connection behaviour driven deterministically: one end of a socketpair adopted into a
/// loop with a manual clock, stepped from the test thread (STYLE P10).
struct HTTPConnectionSocketPairTests {
    typealias Harness = ConnectionHarness

    @Test("a slow header section gets 408 and is closed once the clock passes the timeout")
    func slowHeadersTimeOut() throws {
        var limits = HTTPLimits()
        limits.headerReadTimeout = .seconds(10)
        let harness = try Harness(limits: limits)
        try harness.send("GET /livez HTTP/1.1\r\nHost: x\r\n")
        harness.clock.advance(by: .seconds(9))
        harness.loop.runUntilIdle()
        #expect(try harness.received().text.isEmpty)
        harness.clock.advance(by: .seconds(1))
        harness.loop.runUntilIdle()
        #expect(try harness.received().text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        shutdown(harness.pair.client, Int32(SHUT_WR))
        harness.loop.runUntilIdle()
        #expect(try harness.received().isClosed)
        #expect(harness.context.openConnections == 0)
    }

    @Test("an idle keep-alive connection is closed after the idle timeout without a response")
    func idleConnectionCloses() throws {
        var limits = HTTPLimits()
        limits.idleTimeout = .seconds(60)
        let harness = try Harness(limits: limits)
        try harness.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try harness.received().text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        harness.clock.advance(by: .seconds(59))
        harness.loop.runUntilIdle()
        #expect(try harness.received().isClosed == false)
        harness.clock.advance(by: .seconds(1))
        harness.loop.runUntilIdle()
        let after = try harness.received()
        #expect(after.text.isEmpty)
        #expect(after.isClosed)
    }

    @Test("a request fed one byte at a time is answered once complete")
    func byteByByteRequest() throws {
        let harness = try Harness(limits: HTTPLimits())
        let request = "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"
        for byte in request.utf8.dropLast() {
            try RawSocket.write(harness.pair.client, [byte])
            harness.loop.runUntilIdle()
            #expect(try harness.received().text.isEmpty)
        }
        try harness.send("\n")
        #expect(try harness.received().text.hasSuffix(#"{"status":"ok"}"#))
    }
}
