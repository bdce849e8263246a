import CLinux
import EventLoop
import HTTPServer
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Socket activation at the server level: an inherited listening socket is served by every
/// loop, and descriptors that are not listening TCP sockets are refused before anything runs.
struct ServerAdoptionTests {
    /// A blocking listening socket on an ephemeral loopback port, as systemd would pass it.
    private func makeInheritedListener() throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        try #require(listen(fd, 64) == 0)
        var storage = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: storage.sin_port))
    }

    @Test("an adopted listening socket is served by every loop and reports its address")
    func adoptedSocketIsServed() throws {
        let (fd, port) = try makeInheritedListener()
        let server = Server(router: testRouter(), limits: HTTPLimits(), eventLoops: 2)
        let addresses = try server.start(listeners: [.adopt(fd: fd)])
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        #expect(addresses.map(\.description) == ["127.0.0.1:\(port)"])
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
        for _ in 0..<20 {
            let client = try TCPClient(port: port)
            try client.send("GET /livez HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(client.readResponse()?.status == 200)
        }
        #expect(server.counters.acceptedConnections == 20)
    }

    @Test("adopted and bound listeners can be mixed, in the order given")
    func adoptedAndBoundListenersMix() throws {
        let (fd, port) = try makeInheritedListener()
        let server = Server(router: testRouter(), limits: HTTPLimits(), eventLoops: 1)
        let addresses = try server.start(listeners: [.bind(host: "127.0.0.1", port: 0), .adopt(fd: fd)])
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        #expect(addresses.count == 2 && addresses[1].port == port && addresses[0].port != port)
        for address in addresses {
            let client = try TCPClient(port: address.port)
            try client.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(client.readResponse()?.status == 200)
        }
    }

    @Test("a descriptor that is not a socket is refused with ENOTSOCK")
    func nonSocketIsRefused() throws {
        var pipeFDs: [Int32] = [0, 0]
        try #require(pipe(&pipeFDs) == 0)
        defer { close(pipeFDs[0]); close(pipeFDs[1]) }
        let server = Server(router: testRouter(), limits: HTTPLimits(), eventLoops: 1)
        #expect(throws: SocketError("getsockopt on inherited fd \(pipeFDs[0])", errno: ENOTSOCK)) {
            _ = try server.start(listeners: [.adopt(fd: pipeFDs[0])])
        }
        #expect(server.loopHandles.isEmpty)
    }

    @Test("a TCP socket that is not listening is refused with EINVAL")
    func nonListeningSocketIsRefused() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        let server = Server(router: testRouter(), limits: HTTPLimits(), eventLoops: 1)
        #expect(throws: SocketError("adopt inherited fd \(fd) (not listening)", errno: EINVAL)) {
            _ = try server.start(listeners: [.adopt(fd: fd)])
        }
    }

    @Test("a datagram socket is refused, and the listeners opened before it are closed")
    func datagramSocketIsRefused() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        let (listener, port) = try makeInheritedListener()
        let server = Server(router: testRouter(), limits: HTTPLimits(), eventLoops: 2)
        #expect(throws: SocketError("adopt inherited fd \(fd) (not a stream socket)", errno: ESOCKTNOSUPPORT)) {
            _ = try server.start(listeners: [.adopt(fd: listener), .adopt(fd: fd)])
        }
        // The first listener was taken over, so the failed start closed it.
        #expect(throws: SocketError.self) { _ = try TCPClient(port: port) }
    }
}
