import EventLoop
import HTTPServer
import Testing
import TestSupport

/// A protocol double that echoes bytes back, to test the hand-off alone.
final class EchoProtocolHandler: DrainableConnection {
    let socket: UpgradedSocket
    var isClosed = false

    init(socket: UpgradedSocket) {
        self.socket = socket
        write(socket.pendingOutput)
        write(socket.inbound)
    }

    func handleEvent(_ events: PollEvents, loop: EventLoop) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { buffer.deallocate() }
        while !isClosed {
            switch try? SocketCalls.read(socket.registration.fd, into: buffer) {
            case .transferred(let count)?: write(Array(UnsafeRawBufferPointer(rebasing: buffer[..<count])))
            case .wouldBlock?: return
            default: forceClose(loop: loop)
            }
        }
    }

    func drain(loop: EventLoop) { forceClose(loop: loop) }

    func forceClose(loop: EventLoop) {
        guard !isClosed else { return }
        isClosed = true
        loop.deregister(socket.registration)
        socket.release(loop)
    }

    private func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        _ = try? bytes.withUnsafeBytes { try SocketCalls.write(socket.registration.fd, $0) }
    }
}

struct HTTPUpgradeTests {
    func upgradeRouter() -> HTTPRouter {
        var router = testRouter()
        let head = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n".utf8)
        router.add(.get, "/echo-upgrade", .upgrade { request in
            guard request.header("Upgrade") == "echo" else {
                return .reject(.error(.badRequest, code: "not_an_upgrade", message: "Upgrade: echo expected."))
            }
            return .accept(HTTPUpgradeAcceptance(responseHead: head) { EchoProtocolHandler(socket: $0) })
        })
        return router
    }

    @Test("bytes sent right after the upgrade request reach the new protocol")
    func bufferedBytesFollowTheUpgrade() throws {
        let server = Server(router: upgradeRouter(), limits: HTTPLimits(), eventLoops: 1)
        let port = try server.start(listen: [("127.0.0.1", 0)])[0].port
        defer { server.shutdown(gracePeriod: .seconds(1)) }
        let client = try TCPClient(port: port)
        try client.send("GET /echo-upgrade HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello")
        let switching = try #require(client.readResponse())
        #expect(switching.status == 101)
        try client.send(" world")
        var echoed: [UInt8] = []
        while echoed.count < 11, let more = client.readRaw() { echoed += more }
        #expect(String(decoding: echoed, as: UTF8.self) == "hello world")
        #expect(server.counters.openConnections == 1)
    }

    @Test("a rejected upgrade is an ordinary response and the connection stays HTTP")
    func rejectedUpgradeStaysHTTP() throws {
        let server = Server(router: upgradeRouter(), limits: HTTPLimits(), eventLoops: 1)
        let port = try server.start(listen: [("127.0.0.1", 0)])[0].port
        defer { server.shutdown(gracePeriod: .seconds(1)) }
        let client = try TCPClient(port: port)
        try client.send("GET /echo-upgrade HTTP/1.1\r\nHost: t\r\n\r\nGET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.status == 400)
        #expect(client.readResponse()?.status == 200)
    }
}
