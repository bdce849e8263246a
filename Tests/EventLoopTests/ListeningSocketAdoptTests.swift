import EventLoop
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Adopting an inherited listening socket and sharing it between loops with `.exclusive`.
struct ListeningSocketAdoptTests {
    @Test("two loops register dups of one adopted socket exclusively and one of them sees the connection")
    func exclusiveRegistrationOnTwoLoops() throws {
        let original = try ListeningSocket.bind(host: "127.0.0.1", port: 0, reusePort: false)
        let adopted = try ListeningSocket.adopt(fd: original.fd)
        #expect(adopted.host == "127.0.0.1" && adopted.port == original.port)
        let copy = try adopted.duplicate()
        #expect(copy.fd != adopted.fd && copy.port == adopted.port)

        let loops = [try EventLoop(clock: ManualClock()), try EventLoop(clock: ManualClock())]
        let handlers = [RecordingHandler(), RecordingHandler()]
        // Registration fails with EINVAL if the mask carries a flag EPOLLEXCLUSIVE forbids.
        _ = try loops[0].register(adopted.fd, interest: [.readable, .exclusive], handler: handlers[0])
        _ = try loops[1].register(copy.fd, interest: [.readable, .exclusive], handler: handlers[1])

        let client = try TCPClient(port: adopted.port)
        for loop in loops { loop.runOnce(timeout: .milliseconds(500)) }
        let woken = handlers.filter { $0.events.contains { $0.contains(.readable) } }
        #expect(woken.count >= 1)
        withExtendedLifetime(client) {}
    }

    @Test("an IPv6 listener is adopted with its numeric host")
    func ipv6ListenerIsAdopted() throws {
        guard let original = try? ListeningSocket.bind(host: "::1", port: 0, reusePort: false) else { return }
        defer { close(original.fd) }
        let adopted = try ListeningSocket.adopt(fd: original.fd)
        #expect(adopted.host == "::1")
        #expect(adopted.addressDescription == "[::1]:\(original.port)")
    }
}
