import EventLoop
@testable import HTTPServer
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// One end of a socketpair adopted as an HTTP connection into a loop with a manual clock,
/// stepped from the test thread (STYLE P10); the test drives the other end.
final class ConnectionHarness {
    let clock = ManualClock()
    let loop: EventLoop
    let context: HTTPLoopContext
    let pair: SocketPair

    init(limits: HTTPLimits, router: HTTPRouter = testRouter()) throws {
        loop = try EventLoop(clock: clock)
        context = HTTPLoopContext(router: router, limits: limits, counters: ServerCounters())
        pair = try SocketPair.make()
        context.adopt(pair.server, loop: loop)
    }

    private var isClientOpen = true

    deinit { closeClient() }

    /// Closes the test's end with unread data in it, which the peer sees as a hang-up.
    func closeClient() {
        guard isClientOpen else { return }
        isClientOpen = false
        close(pair.client)
    }

    func send(_ text: String) throws {
        try RawSocket.write(pair.client, text)
        loop.runUntilIdle()
    }

    func received() throws -> (text: String, isClosed: Bool) {
        let (bytes, isClosed) = try RawSocket.readAvailable(pair.client)
        return (String(decoding: bytes, as: UTF8.self), isClosed)
    }

    /// Moves the manual clock on and runs what became due.
    func advance(by duration: Duration) {
        clock.advance(by: duration)
        loop.runUntilIdle()
    }

    /// The adopted connection, while it is open and still HTTP.
    var connection: HTTPConnection? {
        var found: HTTPConnection?
        loop.forEachHandler { handler in
            if let connection = handler as? HTTPConnection { found = connection }
        }
        return found
    }

    /// Writes as much of `bytes[offset...]` as the socket takes now; returns the new offset.
    func writeWhatFits(_ bytes: [UInt8], from offset: Int) throws -> Int {
        var offset = offset
        while offset < bytes.count {
            let result = try bytes.withUnsafeBytes { buffer throws(SocketError) in
                try SocketCalls.write(pair.client, UnsafeRawBufferPointer(rebasing: buffer[offset...]))
            }
            guard case .transferred(let count) = result else { break }
            offset += count
        }
        return offset
    }
}
