import CLinux
import EventLoop
@testable import HTTPServer
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A real loopback TCP connection whose accepted end is adopted into a loop with a manual
/// clock, so a test can read the server socket's `TCP_NODELAY` between requests.
private final class TCPConnectionHarness {
    let loop: EventLoop
    let context: HTTPLoopContext
    let client: TCPClient
    let serverFD: Int32

    init(router: HTTPRouter) throws {
        loop = try EventLoop(clock: ManualClock())
        context = HTTPLoopContext(router: router, limits: HTTPLimits(), counters: ServerCounters())
        let listener = try ListeningSocket.bind(host: "127.0.0.1", port: 0, reusePort: false)
        defer { SocketCalls.close(listener.fd) }
        client = try TCPClient(port: listener.port)
        var accepted: Int32?
        for _ in 0..<1_000 where accepted == nil { accepted = try SocketCalls.accept(listener.fd) }
        serverFD = try #require(accepted)
        context.adopt(serverFD, loop: loop)
    }

    /// Sends `request`, runs the loop until idle, and returns the response read.
    func exchange(_ request: String) throws -> RawHTTPResponse? {
        try client.send(request)
        loop.runUntilIdle()
        return client.readResponse()
    }

    var isNoDelayOn: Bool {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(serverFD, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &length) == 0 else { return false }
        return value != 0
    }
}

/// Nagle's algorithm is turned off lazily on plain connections (one `setsockopt` fewer for a
/// `Connection: close` request), and always before it could hold a response back.
struct HTTPConnectionNoDelayTests {
    @Test("a keep-alive connection turns Nagle off before its second response, not its first")
    func keepAliveTurnsNoDelayOnBeforeTheSecondWrite() throws {
        let harness = try TCPConnectionHarness(router: testRouter())
        #expect(!harness.isNoDelayOn)
        #expect(try harness.exchange("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")?.status == 200)
        #expect(!harness.isNoDelayOn)
        #expect(try harness.exchange("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")?.status == 200)
        #expect(harness.isNoDelayOn)
    }

    @Test("a first response past one small segment is written with Nagle off")
    func largeFirstResponseTurnsNoDelayOn() throws {
        let harness = try TCPConnectionHarness(router: testRouter())
        let body = String(repeating: "b", count: HTTPConnection.noDelayFirstWriteBytes)
        let response = try harness.exchange("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(response?.status == 200)
        #expect(harness.isNoDelayOn)
    }

    @Test("an upgraded connection has Nagle off before the new protocol writes")
    func upgradeTurnsNoDelayOn() throws {
        var router = HTTPRouter()
        let head = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n".utf8)
        router.add(.get, "/echo-upgrade", .upgrade { _ in
            .accept(HTTPUpgradeAcceptance(responseHead: head) { EchoProtocolHandler(socket: $0) })
        })
        let harness = try TCPConnectionHarness(router: router)
        try harness.client.send("GET /echo-upgrade HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
        harness.loop.runUntilIdle()
        #expect(harness.isNoDelayOn)
    }
}
