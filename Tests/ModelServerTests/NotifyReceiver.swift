import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The systemd side of `NOTIFY_SOCKET` for tests: an `AF_UNIX` datagram socket bound to a
/// fresh path in the temporary directory, or to a fresh abstract name.
final class NotifyReceiver {
    let fd: Int32
    /// The `NOTIFY_SOCKET` value naming it (`/tmp/...` or `@name`).
    let notifySocket: String
    private let path: String?

    init(abstract: Bool) throws {
        // Stored last: with every property set, a throw would also run deinit, closing the
        // descriptor a second time (see TCPClient.init).
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        let name = "modeld-notify-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        path = abstract ? nil : NSTemporaryDirectory() + name
        notifySocket = path ?? "@" + name
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes: [UInt8] = path.map { Array($0.utf8) + [0] } ?? [0] + Array(name.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + pathBytes.count)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard result == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        self.fd = fd
    }

    deinit {
        close(fd)
        if let path { unlink(path) }
    }

    /// Every datagram already queued, without waiting: `sendto` on a unix datagram socket
    /// has queued the message by the time it returns.
    func drain() -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count >= 0 else { return messages }
            messages.append(String(decoding: buffer[..<count], as: UTF8.self))
        }
    }
}
