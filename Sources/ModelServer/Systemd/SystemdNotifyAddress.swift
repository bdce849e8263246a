#if canImport(Glibc)
import Glibc
#endif

/// The `AF_UNIX` datagram address of systemd's notification socket, from `NOTIFY_SOCKET`
/// (sd_notify(3)): an absolute path, or `@name` for the Linux abstract namespace.
///
/// Encoding (unix(7)): a path goes into `sun_path` with its terminating NUL, and the address
/// length counts that NUL; an abstract name goes in as a NUL byte followed by the name's
/// bytes, and the length counts exactly those, because every byte of an abstract name is
/// significant (a trailing NUL would name a different socket).
struct SystemdNotifyAddress: Equatable, Sendable {
    /// The bytes of `sun_path`, as sent.
    let pathBytes: [UInt8]
    /// The environment value it was parsed from, for logs.
    let text: String

    /// `sun_path`'s capacity in bytes (108 on Linux).
    static let pathCapacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    /// Parses a `NOTIFY_SOCKET` value.
    static func parse(_ value: String) throws(SystemdError) -> SystemdNotifyAddress {
        let bytes = Array(value.utf8)
        let pathBytes: [UInt8]
        switch bytes.first {
        case UInt8(ascii: "/"): pathBytes = bytes + [0]
        case UInt8(ascii: "@") where bytes.count > 1: pathBytes = [0] + bytes.dropFirst()
        default: throw .unsupportedNotifySocket(value)
        }
        guard pathBytes.count <= pathCapacity else { throw .notifySocketTooLong(value) }
        return SystemdNotifyAddress(pathBytes: pathBytes, text: value)
    }

    /// Whether the address lives in the abstract namespace (`@name`).
    var isAbstract: Bool { pathBytes.first == 0 }

    /// The address length to pass to `sendto`: `sun_family` plus the bytes of `sun_path`.
    var addressLength: Int { MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + pathBytes.count }

    /// Calls `body` with the encoded `sockaddr_un` and its length.
    func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path.copyBytes(from: pathBytes)
        }
        let length = socklen_t(addressLength)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
