import CLinux
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd how the service is doing, without libsystemd: one datagram of
/// newline-separated `KEY=value` fields per message to the `NOTIFY_SOCKET` address
/// (sd_notify(3)).
///
/// Policy: notification never gets in the way of serving. The socket is non-blocking and each
/// `sendto` uses `MSG_DONTWAIT`, so a full or absent receiver costs one failed system call;
/// a failure is logged once, at debug, and otherwise ignored. Without `NOTIFY_SOCKET` (not
/// started by systemd, or `Type=simple`) every method does nothing. Safe from any thread:
/// the socket is only written, and concurrent datagram `sendto`s never interleave.
final class SystemdNotifier: Sendable {
    /// Where messages go; `nil` when notifications are off.
    let address: SystemdNotifyAddress?
    private let fd: Int32
    private let logger: Logger
    private let hasLoggedFailure = Atomic<Bool>(false)

    /// Reads `NOTIFY_SOCKET` from `environment`; an unusable value is logged as a warning and
    /// turns notifications off.
    init(environment: [String: String], logger: Logger) {
        self.logger = logger
        var parsed: SystemdNotifyAddress?
        if let value = environment["NOTIFY_SOCKET"], !value.isEmpty {
            do {
                parsed = try SystemdNotifyAddress.parse(value)
            } catch {
                logger.warning("systemd notify disabled", metadata: [LogKey.reason: "\(error)"])
            }
        }
        let fd = parsed == nil ? -1 : clinux_socket_nonblocking(AF_UNIX, Int32(SOCK_DGRAM.rawValue))
        if parsed != nil && fd < 0 {
            logger.warning("systemd notify disabled", metadata: [LogKey.reason: "socket: errno \(clinux_errno())"])
            parsed = nil
        }
        self.fd = fd
        address = parsed
    }

    deinit {
        if fd >= 0 { _ = close(fd) }
    }

    /// Whether messages are sent at all.
    var isEnabled: Bool { address != nil }

    /// `READY=1`: the listeners are open (not: the models are loaded; that is `/readyz`'s job).
    /// With `status`, the first `STATUS=` line rides along.
    func ready(status: String? = nil) {
        send(["READY=1"] + (status.map { [Self.statusField($0)] } ?? []))
    }

    /// `RELOADING=1` with `MONOTONIC_USEC` (required by `Type=notify-reload`), sent when a
    /// configuration reload starts; `ready()` ends it.
    func reloading() {
        send(Self.reloadingFields(monotonicMicroseconds: clinux_monotonic_ns() / 1_000))
    }

    /// `STOPPING=1`: shutdown has started.
    func stopping() {
        send(["STOPPING=1"])
    }

    /// `STATUS=line`: the one-line summary `systemctl status` shows.
    func status(_ line: String) {
        send([Self.statusField(line)])
    }

    /// `WATCHDOG=1`: the service is alive.
    func watchdog() {
        send(["WATCHDOG=1"])
    }

    /// The fields of a reload notification at `monotonicMicroseconds` (`CLOCK_MONOTONIC`).
    static func reloadingFields(monotonicMicroseconds: UInt64) -> [String] {
        ["RELOADING=1", "MONOTONIC_USEC=\(monotonicMicroseconds)"]
    }

    /// `STATUS=` with `line` kept to one line: a newline would start a new field.
    static func statusField(_ line: String) -> String {
        "STATUS=" + String(line.map { $0.isNewline ? " " : $0 })
    }

    /// Sends `fields` as one datagram, newline-separated.
    func send(_ fields: [String]) {
        guard let address else { return }
        var datagram = Array(fields.joined(separator: "\n").utf8)
        let failure: Int32? = datagram.withUnsafeMutableBytes { bytes in
            address.withSocketAddress { socketAddress, length in
                while true {
                    if sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL), socketAddress, length) >= 0 {
                        return nil
                    }
                    let code = clinux_errno()
                    if code != EINTR { return code }
                }
            }
        }
        if let failure, !hasLoggedFailure.exchange(true, ordering: .relaxed) {
            logger.debug("systemd notify failed", metadata: [LogKey.reason: "sendto: errno \(failure)",
                                                             LogKey.socket: "\(address.text)"])
        }
    }
}
