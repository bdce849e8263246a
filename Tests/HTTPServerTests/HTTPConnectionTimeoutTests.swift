import EventLoop
@testable import HTTPServer
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The body-read and write timeouts on a real connection, with the loop's clock in the
/// test's hand.
struct HTTPConnectionTimeoutTests {
    var limits: HTTPLimits {
        var limits = HTTPLimits()
        limits.headerReadTimeout = .seconds(10)
        limits.bodyReadTimeout = .seconds(30)
        limits.writeTimeout = .seconds(20)
        return limits
    }

    @Test("a body that stops arriving gets 408 request_timeout once the body-read timeout passes")
    func bodyNeverArrives() throws {
        let harness = try ConnectionHarness(limits: limits)
        try harness.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        // Past the header timeout: the head is complete, so that clock no longer applies.
        harness.advance(by: .seconds(15))
        #expect(try harness.received().text.isEmpty)
        harness.advance(by: .milliseconds(14_999))
        #expect(try harness.received().text.isEmpty)
        harness.advance(by: .milliseconds(1))
        let answer = try harness.received().text
        #expect(answer.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(answer.contains("Connection: close\r\n"))
        #expect(answer.hasSuffix(#"{"error":{"code":"request_timeout","message":"The request body did not arrive in time."}}"#))
        shutdown(harness.pair.client, Int32(SHUT_WR))
        harness.loop.runUntilIdle()
        #expect(try harness.received().isClosed)
        #expect(harness.context.openConnections == 0)
    }

    @Test("a body that completes in time is answered, and the next request has no body deadline")
    func bodyInTime() throws {
        let harness = try ConnectionHarness(limits: limits)
        try harness.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        harness.advance(by: .seconds(29))
        try harness.send("defghij")
        #expect(try harness.received().text.hasSuffix("abcdefghij"))
        // Idle now: only the 60 s idle timeout applies.
        harness.advance(by: .seconds(40))
        #expect(try harness.received().isClosed == false)
        try harness.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try harness.received().text.hasPrefix("HTTP/1.1 200 OK\r\n"))
    }

    @Test("a chunked body that stalls after its first chunk also gets 408")
    func chunkedBodyStalls() throws {
        let harness = try ConnectionHarness(limits: limits)
        try harness.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        harness.advance(by: .seconds(30))
        #expect(try harness.received().text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
    }

    @Test("a client that reads none of a large response is closed after the write timeout")
    func stalledReaderIsClosed() throws {
        let harness = try ConnectionHarness(limits: limits)
        try harness.send("GET /huge HTTP/1.1\r\nHost: x\r\n\r\n")
        let connection = try #require(harness.connection)
        #expect(connection.outbound.count - connection.outboundSent > 0)
        harness.advance(by: .milliseconds(19_999))
        #expect(harness.context.openConnections == 1)
        harness.advance(by: .milliseconds(1))
        #expect(harness.context.openConnections == 0)
        #expect(harness.connection == nil)
        // What the socket had taken is still there to read, then the end.
        var total = 0
        var closed = false
        while !closed {
            let (bytes, isClosed) = try RawSocket.readAvailable(harness.pair.client)
            total += bytes.count
            closed = isClosed
            if bytes.isEmpty && !isClosed { break }
        }
        #expect(closed)
        #expect(total < 8 << 20)
    }

    @Test("a slow reader that keeps taking bytes is not cut off: each byte taken restarts the clock")
    func slowReaderSurvives() throws {
        let harness = try ConnectionHarness(limits: limits)
        try harness.send("GET /huge HTTP/1.1\r\nHost: x\r\n\r\n")
        var received = 0
        var finished = false
        // Read a little every 15 s: never 20 s without progress, 8 MiB in the end.
        for _ in 0..<10_000 where !finished {
            harness.advance(by: .seconds(15))
            #expect(harness.context.openConnections == 1)
            let (bytes, _) = try RawSocket.readAvailable(harness.pair.client)
            received += bytes.count
            harness.loop.runUntilIdle()
            finished = harness.connection.map { $0.isOutputDrained } ?? true
        }
        received += try RawSocket.readAvailable(harness.pair.client).bytes.count
        #expect(received > 8 << 20)
        #expect(harness.context.openConnections == 1)
        #expect(harness.connection?.machine.writeStalledSince == nil)
    }
}
