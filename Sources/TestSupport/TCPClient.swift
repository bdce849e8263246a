import CLinux
public import EventLoop
#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback TCP client with a receive timeout, for in-process server tests:
/// it sends raw bytes and reads raw HTTP responses, so tests see exactly what is on the wire.
public final class TCPClient {
    public let fd: Int32
    private var buffered: [UInt8] = []

    /// Connects to `127.0.0.1:port`; reads give up after `timeout`.
    ///
    /// The socket is stored only once connected: a class whose stored properties are all set
    /// runs its `deinit` even when its initializer throws, so a failed connect that had set
    /// `fd` would close the descriptor twice, and the second close would hit whatever a
    /// parallel test had opened under the same number in between.
    public init(port: UInt16, timeout: Duration = .seconds(5)) throws(SocketError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket", errno: clinux_errno()) }
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = clinux_errno()
            Glibc.close(fd)
            throw SocketError("connect", errno: code)
        }
        self.fd = fd
    }

    deinit {
        Glibc.close(fd)
    }

    /// Sends all of `text`.
    public func send(_ text: String) throws(SocketError) {
        try send(Array(text.utf8))
    }

    /// Sends all of `bytes`.
    public func send(_ bytes: [UInt8]) throws(SocketError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw SocketError("send", errno: clinux_errno()) }
            offset += n
        }
    }

    /// Half-closes the sending side.
    public func shutdownWrite() {
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    /// Reads one response; nil if the server closed (or the timeout passed) first.
    public func readResponse(isHead: Bool = false) -> RawHTTPResponse? {
        while true {
            if let (response, consumed) = RawHTTPResponse.parse(buffered, isHead: isHead) {
                buffered.removeFirst(consumed)
                return response
            }
            guard fillBuffer() else { return nil }
        }
    }

    /// Whether the server closed the connection (reads EOF before `timeout`).
    public func isClosedByPeer() -> Bool {
        while fillBuffer() {}
        return lastReadWasEOF
    }

    /// Returns buffered bytes, or reads once; nil on close or timeout.
    public func readRaw() -> [UInt8]? {
        if buffered.isEmpty && !fillBuffer() { return nil }
        defer { buffered.removeAll() }
        return buffered
    }

    /// Everything read but not yet parsed as a response.
    public var unparsedBytes: [UInt8] { buffered }

    private var lastReadWasEOF = false

    private func fillBuffer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 {
            buffered += chunk[..<n]
            return true
        }
        lastReadWasEOF = n == 0 || clinux_errno() == ECONNRESET
        return false
    }
}
