import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// Taking over listening sockets that another process opened (systemd socket activation,
/// sd_listen_fds(3)).
///
/// Policy: an inherited descriptor is checked before it is used (a TCP socket, IPv4 or IPv6,
/// in the listening state), then made non-blocking and close-on-exec, whatever the parent
/// left. Accept spreading cannot use `SO_REUSEPORT` here, because there is one socket and one
/// accept queue: each loop gets its own `dup` of it (so each loop closes only its own
/// descriptor on drain) and registers it with `.exclusive`, so a new connection wakes one
/// loop, not all of them.
extension ListeningSocket {
    /// Checks that `fd` is a listening TCP socket and takes it over: non-blocking,
    /// close-on-exec, its address read with `getsockname`. Throws a `SocketError` naming the
    /// descriptor when it is not a socket (`ENOTSOCK`), not a stream socket (`ESOCKTNOSUPPORT`),
    /// not IPv4/IPv6 (`EAFNOSUPPORT`) or not listening (`EINVAL`). On failure the descriptor
    /// is left as it was.
    public static func adopt(fd: Int32) throws(SocketError) -> ListeningSocket {
        let what = "inherited fd \(fd)"
        // SO_ACCEPTCONN answers ENOTSOCK for a non-socket and 0 for a socket not listening.
        let isListening = try integerOption(fd, level: SOL_SOCKET, name: SO_ACCEPTCONN, describing: what)
        guard try integerOption(fd, level: SOL_SOCKET, name: SO_TYPE, describing: what) == Int32(SOCK_STREAM.rawValue) else {
            throw SocketError("adopt \(what) (not a stream socket)", errno: ESOCKTNOSUPPORT)
        }
        let domain = try integerOption(fd, level: SOL_SOCKET, name: SO_DOMAIN, describing: what)
        guard domain == AF_INET || domain == AF_INET6 else {
            throw SocketError("adopt \(what) (not an IPv4 or IPv6 socket)", errno: EAFNOSUPPORT)
        }
        guard isListening != 0 else { throw SocketError("adopt \(what) (not listening)", errno: EINVAL) }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw SocketError("fcntl(O_NONBLOCK) on \(what)", errno: clinux_errno())
        }
        guard fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 else { throw SocketError("fcntl(FD_CLOEXEC) on \(what)", errno: clinux_errno()) }
        let (host, port) = try localAddress(fd)
        return ListeningSocket(adopting: fd, host: host, port: port)
    }

    /// A second descriptor (close-on-exec) for the same socket, for another loop; the caller
    /// owns it and registers it with `.exclusive`.
    public func duplicate() throws(SocketError) -> ListeningSocket {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw SocketError("fcntl(F_DUPFD_CLOEXEC)", errno: clinux_errno()) }
        return ListeningSocket(adopting: copy, host: host, port: port)
    }

    /// The numeric host and the port `fd` is bound to.
    private static func localAddress(_ fd: Int32) throws(SocketError) -> (host: String, port: UInt16) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw SocketError("getsockname", errno: clinux_errno()) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = Int32(storage.ss_family)
        let port: UInt16 = withUnsafePointer(to: &storage) { pointer in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var raw = address.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                    return UInt16(bigEndian: address.pointee.sin6_port)
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                var raw = address.pointee.sin_addr
                _ = inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                return UInt16(bigEndian: address.pointee.sin_port)
            }
        }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (host, port)
    }

    /// Reads an integer socket option; the error names `what` the descriptor is.
    private static func integerOption(_ fd: Int32, level: Int32, name: Int32, describing what: String) throws(SocketError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, level, name, &value, &length) == 0 else {
            throw SocketError("getsockopt on \(what)", errno: clinux_errno())
        }
        return value
    }
}
