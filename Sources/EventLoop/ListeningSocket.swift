import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening, non-blocking TCP socket.
///
/// Accept spreading: each event loop gets its own listening socket on the same address
/// with `SO_REUSEPORT`, so the kernel hashes new connections across loops and no loop hands
/// sockets to another (no cross-thread hop per connection, no thundering herd). The first
/// socket is bound to the requested port (possibly 0); the others bind to the port it got.
public struct ListeningSocket: Sendable {
    /// The descriptor; owned by whoever registers it (one loop).
    public let fd: Int32
    /// The numeric host it is bound to, as given (`127.0.0.1`, `::`, ...).
    public let host: String
    /// The port it is bound to (never 0 after binding).
    public let port: UInt16

    /// Binds and listens on `host:port` (numeric IPv4 or IPv6; `localhost` means 127.0.0.1).
    /// - Parameter backlog: the kernel accept queue length; default 1024 (capped by somaxconn).
    public static func bind(host: String, port: UInt16, reusePort: Bool, backlog: Int32 = 1024) throws(SocketError) -> ListeningSocket {
        let numericHost = host == "localhost" ? "127.0.0.1" : (host.isEmpty ? "0.0.0.0" : host)
        let isIPv6 = numericHost.contains(":")
        let fd = clinux_socket_nonblocking(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue))
        guard fd >= 0 else { throw SocketError("socket", errno: clinux_errno()) }
        do throws(SocketError) {
            try SocketCalls.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            if reusePort { try SocketCalls.setOption(fd, level: SOL_SOCKET, name: SO_REUSEPORT, value: 1) }
            try bindAddress(fd: fd, host: numericHost, port: port, isIPv6: isIPv6)
            guard listen(fd, backlog) == 0 else { throw SocketError("listen", errno: clinux_errno()) }
            return ListeningSocket(fd: fd, host: numericHost, port: try boundPort(fd))
        } catch {
            SocketCalls.close(fd)
            throw error
        }
    }

    /// Wraps an already listening descriptor (socket activation).
    public init(adopting fd: Int32, host: String, port: UInt16) {
        self.fd = fd
        self.host = host
        self.port = port
    }

    private init(fd: Int32, host: String, port: UInt16) {
        self.fd = fd
        self.host = host
        self.port = port
    }

    /// `HOST:PORT`, with brackets around IPv6 hosts.
    public var addressDescription: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func bindAddress(fd: Int32, host: String, port: UInt16, isIPv6: Bool) throws(SocketError) {
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw SocketError("inet_pton", errno: EINVAL) }
            try bind(fd, to: &address)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw SocketError("inet_pton", errno: EINVAL) }
            try bind(fd, to: &address)
        }
    }

    /// Binds `fd` to a `sockaddr_in` or `sockaddr_in6`.
    private static func bind<Address>(_ fd: Int32, to address: inout Address) throws(SocketError) {
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
        guard result == 0 else { throw SocketError("bind", errno: clinux_errno()) }
    }

    private static func boundPort(_ fd: Int32) throws(SocketError) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw SocketError("getsockname", errno: clinux_errno()) }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { pointer in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }
}
