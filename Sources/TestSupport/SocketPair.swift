import CLinux
public import EventLoop
#if canImport(Glibc)
import Glibc
#endif

/// A connected pair of non-blocking Unix stream sockets (FlyingFox `makePair`): one end is
/// adopted by the code under test, the test reads and writes raw bytes on the other.
public struct SocketPair: Sendable {
    /// The end the test drives.
    public let client: Int32
    /// The end handed to the code under test.
    public let server: Int32

    public static func make() throws(SocketError) -> SocketPair {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw SocketError("socketpair", errno: clinux_errno())
        }
        return SocketPair(client: fds[0], server: fds[1])
    }
}

/// Raw byte helpers for the test's end of a socket.
public enum RawSocket {
    /// Writes all of `bytes` (the socket must have room; test payloads are small).
    public static func write(_ fd: Int32, _ bytes: [UInt8]) throws(SocketError) {
        var offset = 0
        while offset < bytes.count {
            let result: IOResult
            do {
                result = try bytes.withUnsafeBytes { buffer in
                    try SocketCalls.write(fd, UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                }
            } catch let error as SocketError {
                throw error
            } catch {
                throw SocketError("write", errno: EIO)
            }
            guard case .transferred(let count) = result else { throw SocketError("write", errno: EAGAIN) }
            offset += count
        }
    }

    /// Writes a string's UTF-8 bytes.
    public static func write(_ fd: Int32, _ text: String) throws(SocketError) {
        try write(fd, Array(text.utf8))
    }

    /// Reads whatever is available now (non-blocking) and whether the peer has closed.
    public static func readAvailable(_ fd: Int32) throws(SocketError) -> (bytes: [UInt8], isClosed: Bool) {
        var collected: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            switch try SocketCalls.read(fd, into: buffer) {
            case .transferred(let count): collected += UnsafeRawBufferPointer(rebasing: buffer[..<count])
            case .wouldBlock: return (collected, false)
            case .endOfStream: return (collected, true)
            }
        }
    }
}
