import Logging
import Testing
#if canImport(Glibc)
import Glibc
#endif

@testable import ModelServer

struct SystemdNotifierTests {
    private let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    /// `offsetof(struct sockaddr_un, sun_path)` on Linux.
    private let pathOffset = 2

    @Test("a path address is sent with its terminating NUL, and the length counts it")
    func pathAddressIncludesNul() throws {
        let address = try SystemdNotifyAddress.parse("/run/systemd/notify")
        #expect(address.pathBytes == Array("/run/systemd/notify".utf8) + [0])
        #expect(!address.isAbstract)
        #expect(address.addressLength == pathOffset + 19 + 1)
    }

    @Test("an abstract address starts with a NUL byte and the length counts only the name")
    func abstractAddressCountsOnlyName() throws {
        let address = try SystemdNotifyAddress.parse("@modeld/notify")
        #expect(address.pathBytes == [0] + Array("modeld/notify".utf8))
        #expect(address.isAbstract)
        #expect(address.addressLength == pathOffset + 1 + 13)
        address.withSocketAddress { pointer, length in
            #expect(Int(length) == address.addressLength)
            #expect(pointer.pointee.sa_family == sa_family_t(AF_UNIX))
        }
    }

    @Test("relative paths, vsock addresses, a bare @ and over-long paths are refused")
    func unusableAddressesAreRefused() {
        #expect(throws: SystemdError.unsupportedNotifySocket("run/notify")) { try SystemdNotifyAddress.parse("run/notify") }
        #expect(throws: SystemdError.unsupportedNotifySocket("vsock:2:1234")) { try SystemdNotifyAddress.parse("vsock:2:1234") }
        #expect(throws: SystemdError.unsupportedNotifySocket("@")) { try SystemdNotifyAddress.parse("@") }
        let longest = "/" + String(repeating: "a", count: 106)
        #expect(throws: Never.self) { try SystemdNotifyAddress.parse(longest) }
        #expect(throws: SystemdError.notifySocketTooLong(longest + "a")) { try SystemdNotifyAddress.parse(longest + "a") }
        let longestAbstract = "@" + String(repeating: "a", count: 107)
        #expect(throws: Never.self) { try SystemdNotifyAddress.parse(longestAbstract) }
        #expect(throws: SystemdError.notifySocketTooLong(longestAbstract + "a")) { try SystemdNotifyAddress.parse(longestAbstract + "a") }
    }

    @Test("READY, STATUS, WATCHDOG and STOPPING reach a receiver bound to a path or an abstract name", arguments: [false, true])
    func messagesReachReceiver(abstract: Bool) throws {
        let receiver = try NotifyReceiver(abstract: abstract)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket], logger: logger)
        #expect(notifier.isEnabled)
        notifier.ready()
        notifier.status("loading minilm 5/9 61% eta 4s; 1 ready, 0 failed")
        notifier.watchdog()
        notifier.stopping()
        notifier.ready(status: "two\nlines")
        #expect(receiver.drain() == [
            "READY=1", "STATUS=loading minilm 5/9 61% eta 4s; 1 ready, 0 failed", "WATCHDOG=1", "STOPPING=1",
            "READY=1\nSTATUS=two lines",
        ])
    }

    @Test("reloading sends RELOADING=1 with the current CLOCK_MONOTONIC in microseconds, then ready ends it")
    func reloadingCarriesMonotonicTime() throws {
        let receiver = try NotifyReceiver(abstract: true)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket], logger: logger)
        let before = Self.monotonicMicroseconds()
        notifier.reloading()
        let after = Self.monotonicMicroseconds()
        notifier.ready()
        let messages = receiver.drain()
        try #require(messages.count == 2)
        let fields = messages[0].split(separator: "\n").map(String.init)
        #expect(fields.first == "RELOADING=1")
        let stamp = try #require(fields.last.flatMap { $0.hasPrefix("MONOTONIC_USEC=") ? UInt64($0.dropFirst(15)) : nil })
        #expect((before...after).contains(stamp))
        #expect(messages[1] == "READY=1")
        #expect(SystemdNotifier.reloadingFields(monotonicMicroseconds: 42) == ["RELOADING=1", "MONOTONIC_USEC=42"])
    }

    @Test("without NOTIFY_SOCKET the notifier is off and sending does nothing")
    func absentSocketIsNoOp() {
        let notifier = SystemdNotifier(environment: [:], logger: logger)
        #expect(!notifier.isEnabled)
        notifier.ready()
        notifier.watchdog()
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative"], logger: logger).address == nil)
    }

    @Test("a receiver that does not read makes sends fail instead of blocking")
    func fullReceiverDoesNotBlock() throws {
        let receiver = try NotifyReceiver(abstract: false)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.notifySocket], logger: logger)
        // The receiver's queue holds net.unix.max_dgram_qlen datagrams (512 by default):
        // a blocking send would hang here.
        for index in 0..<5_000 { notifier.status("line \(index)") }
        let received = receiver.drain()
        #expect(received.count < 5_000)
        #expect(received.first == "STATUS=line 0")
    }

    @Test("a receiver that went away is ignored")
    func missingReceiverIsIgnored() throws {
        let socketPath = try NotifyReceiver(abstract: false).notifySocket
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socketPath], logger: logger)
        notifier.status("x")
        notifier.watchdog()
        #expect(notifier.isEnabled)
    }

    private static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
