/// The outcome of a non-blocking read or write for the ordinary cases (STYLE P3).
///
/// `EAGAIN` and end-of-stream are values, not errors, as in libuv and NIO; anything else
/// is a `SocketError`.
public enum IOResult: Equatable, Sendable {
    /// This many bytes moved.
    case transferred(Int)
    /// The kernel would have blocked (`EAGAIN`/`EWOULDBLOCK`).
    case wouldBlock
    /// The peer closed its side (a read returned 0).
    case endOfStream
}

/// A failed system call, with the operation's name and the `errno` captured at the failure
/// site (FlyingFox `makeFailed`).
public struct SocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The system call that failed, e.g. `"bind"`.
    public var operation: String
    /// The `errno` it left.
    public var errno: Int32

    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        "\(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
