import CLinux
public import EventLoop
public import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// A Server-Sent Events subscriber of one room (`GET /v1/models/{id}/events`), for curl and
/// clients that cannot open a WebSocket. It receives the same room messages as WebSocket
/// members, in their event-stream form, under the same slow-subscriber policy (past the
/// hard limit the stream is closed: SSE has no close code). A comment line is sent every
/// `keepAliveInterval` so idle proxies keep the stream open (a client that reads nothing
/// ends up past the hard limit through these too, and is closed). Input from the client is
/// read and ignored; its EOF ends the stream. Each stream holds one of the hub's
/// event-stream slots (`WebSocketCounters.tryOpenEventStream`, taken by the route) and
/// gives it back when it closes.
public final class EventStreamConnection: DrainableConnection, RoomMember {
    let socket: UpgradedSocket
    let loopContext: WebSocketLoopContext
    /// The counters of the hub whose event-stream slot this stream holds.
    let counters: WebSocketCounters
    let room: RoomName
    let keepAliveInterval: Duration
    var outbound: OutboundQueue
    var interest: PollEvents = .readable
    var isClosed = false
    var isJoined = false
    /// Room messages are queued and wait for `flushQueued` (see `LoopRooms`).
    public var isFlushPending = false
    /// The highest room sequence number queued (`RoomMessage.origin`).
    var lastSequence = 0

    /// Adopts `socket` after the `200` head and sends `initial` (snapshot or missed events).
    /// The caller has taken an event-stream slot for it.
    init(socket: UpgradedSocket, hub: RoomHub, room: RoomName, initial: () -> [RoomMessage],
                outboundLimits: OutboundLimits, keepAliveInterval: Duration = .seconds(15)) {
        self.socket = socket
        loopContext = WebSocketLoopContext.of(socket.loop, hub: hub)
        counters = hub.counters
        self.room = room
        self.keepAliveInterval = keepAliveInterval
        outbound = OutboundQueue(limits: outboundLimits)
        let loop = socket.loop
        if !socket.pendingOutput.isEmpty {
            _ = outbound.enqueue(SharedFrame(socket.pendingOutput), delivery: .mustDeliver, now: loop.now)
        }
        if socket.isDraining { isClosedAfterFlush = true } else {
            loopContext.rooms.join(room, self)
            isJoined = true
        }
        // After joining: an event published from now on is delivered live, one published
        // before is in what `initial` returns.
        for message in initial() {
            lastSequence = max(lastSequence, message.origin?.sequence ?? 0)
            _ = outbound.enqueue(message.eventStream, delivery: .mustDeliver, now: loop.now)
        }
        flush(loop: loop)
        loop.armDeadline(loop.now.advanced(by: keepAliveInterval), for: socket.registration)
    }

    var isClosedAfterFlush = false

    public func handleEvent(_ events: PollEvents, loop: EventLoop) {
        if events.contains(.error) { return close(loop: loop) }
        if events.contains(.writable) { flush(loop: loop) }
        guard !isClosed, socket.transport.shouldRead(on: events) else { return }
        while !isClosed {
            switch try? socket.transport.read(socket.registration.fd, into: loopContext.scratch) {
            case .transferred?: continue
            case .wouldBlock?:
                // A TLS read may have let a blocked write go on (or need to write first).
                return flush(loop: loop)
            default: return close(loop: loop)
            }
        }
    }

    public func deadlineReached(at now: LoopInstant, loop: EventLoop) {
        guard !isClosed else { return }
        if outbound.enqueue(Self.keepAliveComment, delivery: .mustDeliver, now: now) == .overHardLimit {
            counters.slowConnectionClosed()
            return close(loop: loop)
        }
        flush(loop: loop)
        loop.armDeadline(now.advanced(by: keepAliveInterval), for: socket.registration)
    }

    public func queue(_ message: RoomMessage, now: LoopInstant, loop: EventLoop) -> Bool {
        guard !isClosed else { return false }
        if let sequence = message.origin?.sequence {
            // Already sent in what the connection started with (snapshot or replay).
            guard sequence > lastSequence else { return false }
            lastSequence = sequence
        }
        if outbound.enqueue(message.eventStream, delivery: message.delivery, now: now) == .overHardLimit {
            counters.slowConnectionClosed()
            close(loop: loop)
            return false
        }
        return true
    }

    public func drain(loop: EventLoop) {
        isClosedAfterFlush = true
        flush(loop: loop)
    }

    public func forceClose(loop: EventLoop) {
        close(loop: loop)
    }

    static let keepAliveComment = SharedFrame(Array(": keep-alive\n\n".utf8))

    public func flush(loop: EventLoop) {
        guard !isClosed else { return }
        switch loopContext.flush(&outbound, socket: socket) {
        case .blocked: return setInterest([.readable, .writable], loop: loop)
        case .failed: return close(loop: loop)
        case .drained: setInterest(.readable, loop: loop)
        }
        if isClosedAfterFlush { close(loop: loop) }
    }

    private func setInterest(_ wanted: PollEvents, loop: EventLoop) {
        let wanted = socket.transport.interest(for: wanted)
        guard wanted != interest else { return }
        interest = wanted
        loop.modify(socket.registration, interest: wanted)
    }

    func close(loop: EventLoop) {
        guard !isClosed else { return }
        isClosed = true
        counters.eventStreamClosed()
        if isJoined { loopContext.rooms.leave(room, self) }
        socket.transport.close()
        loop.deregisterClosingSoleDescriptor(socket.registration)  // an accepted socket: never duplicated
        outbound = OutboundQueue(limits: outbound.limits)
        socket.release(loop)
    }
}

@available(*, unavailable)
extension EventStreamConnection: Sendable {}
