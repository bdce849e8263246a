import CLinux
import EventLoop
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// What WebSocket connections on one loop share: a read scratch buffer, an iovec array for
/// `writev`, a deflater for echo replies, and the loop's rooms (counts live in the hub's
/// `WebSocketCounters`). Loop-confined;
/// attached to the loop on first use.
final class WebSocketLoopContext {
    let scratch: UnsafeMutableRawBufferPointer
    let vectors: UnsafeMutableBufferPointer<iovec>
    let maxVectors = 64
    let rooms: LoopRooms
    /// Echo-reply deflaters by window size (no context takeover, so one per size serves
    /// every connection of the loop).
    private var deflaters: [Int: Deflater] = [:]

    private init(hub: RoomHub, loopIndex: Int) {
        scratch = .allocate(byteCount: 64 * 1024, alignment: 16)
        vectors = .allocate(capacity: maxVectors)
        rooms = LoopRooms(hub: hub, loopIndex: loopIndex)
    }

    deinit {
        scratch.deallocate()
        vectors.deallocate()
    }

    /// The context of `loop`, created on first use.
    static func of(_ loop: EventLoop, hub: RoomHub) -> WebSocketLoopContext {
        if let existing = loop.attached(WebSocketLoopContext.self) { return existing }
        let context = WebSocketLoopContext(hub: hub, loopIndex: loop.handle.index)
        loop.attach(context)
        loop.attach(context.rooms)
        return context
    }

    /// The loop's deflater for `windowBits`, made on first use.
    func deflater(windowBits: Int) -> Deflater {
        if let existing = deflaters[windowBits] { return existing }
        let made = Deflater(windowBits: windowBits)
        deflaters[windowBits] = made
        return made
    }

    /// What writing a connection's queue came to.
    enum FlushOutcome {
        /// Everything queued was written.
        case drained
        /// The socket's send buffer is full; wait for `EPOLLOUT`.
        case blocked
        /// The socket failed; close the connection.
        case failed
    }

    /// Writes `outbound` to `socket` with `writev` (through its transport, so WSS is
    /// encrypted) until it is empty or the socket is full — the one write loop of WebSocket
    /// and event-stream connections. Bytes a TLS transport still holds count as not drained.
    func flush(_ outbound: inout OutboundQueue, socket: UpgradedSocket) -> FlushOutcome {
        let fd = socket.registration.fd
        while !outbound.isEmpty {
            let result = outbound.withPendingVectors(vectors) { filled in
                try? socket.transport.writev(fd, filled)
            }
            switch result {
            case .transferred(let count)?: outbound.consume(count)
            case .wouldBlock?: return .blocked
            case .endOfStream?, nil: return .failed
            }
        }
        guard socket.transport.hasPendingOutput else { return .drained }
        switch Result(catching: { () throws(SocketError) in try socket.transport.flushPendingOutput(fd) }) {
        case .success(true): return .drained
        case .success(false): return .blocked
        case .failure: return .failed
        }
    }
}

@available(*, unavailable)
extension WebSocketLoopContext: Sendable {}
