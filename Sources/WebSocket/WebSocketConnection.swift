import CLinux
public import EventLoop
public import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// One WebSocket connection after the upgrade: its decoder, message assembler, outbound
/// queue and timers, on the loop that owns its socket (the thin I/O shell of STYLE P1).
///
/// Policies:
/// - Closing handshake (RFC 6455 §5.5.1, §7): a peer's close frame is answered with a close
///   frame (its code, or 1000), then the server closes TCP once that frame is written. A
///   protocol violation is answered with a close frame carrying the mapped code and reason
///   (`WebSocketProtocolError`), then the same. Nothing is read after a close is sent except
///   the peer's close.
/// - Idle connections are pinged every `pingInterval`; after `maxMissedPongs` pings without
///   any answer (or any other frame), the socket is closed.
/// - Output is a queue of shared frames with the slow-subscriber policy of `OutboundQueue`;
///   a connection over its hard limit is closed with 1013 (if even the close frame does not
///   fit, the socket is just closed).
/// - Backpressure: frames the connection makes itself (pongs, echo replies, error replies)
///   are only made while the queue's footprint is within the soft limit. Past it, the
///   connection stops reading and decoding (input stays in the kernel, the frames already
///   read wait in `inbound`) until the queue drains below it, so a client that sends and
///   never reads cannot grow the queue by more than one reply past the soft limit. A client
///   that stays backed up is closed by the soft limit's grace period or the missed pongs.
/// - Draining (shutdown): close 1001, then close TCP once written or at the grace deadline.
public final class WebSocketConnection: DrainableConnection, RoomMember {
    let socket: UpgradedSocket
    let endpoint: WebSocketEndpoint
    let loopContext: WebSocketLoopContext
    let counters: WebSocketCounters
    var decoder: WebSocketFrameDecoder
    var assembler: WebSocketMessageAssembler
    /// The permessage-deflate parameters agreed in the handshake, if any.
    let deflate: PerMessageDeflateParameters?
    /// Whether shared broadcast frames (compressed once with a 15-bit window) may be sent:
    /// only to clients whose agreed `server_max_window_bits` is 15; others get plain frames.
    let acceptsSharedDeflate: Bool
    var negotiatedDeflate: Bool { deflate != nil }
    var inbound: [UInt8] = []
    var outbound: OutboundQueue
    var interest: PollEvents = .readable
    var lastHeard: LoopInstant
    var missedPongs = 0
    var armedDeadline: LoopInstant?
    /// When a close this server started stops waiting for the peer's answer.
    var closeDeadline: LoopInstant?
    /// How long the peer gets to answer a close this server started. 5 s.
    static let closeAnswerTimeout: Duration = .seconds(5)
    var isCloseSent = false
    /// Close TCP as soon as the queue is written (peer closed, or we failed it).
    var closesAfterFlush = false
    /// The HTTP `101` head still sits first in `outbound` (it is no frame: not counted).
    var isUpgradeHeadQueued = false
    var isClosed = false
    /// Set while `processInbound` runs (replies it sends must not restart it).
    var isProcessingInbound = false
    /// Set when reading or decoding stopped because the output was backed up; cleared when
    /// a flush brings the queue back within the soft limit, which resumes them.
    var isReadingPaused = false
    /// Room messages are queued and wait for `flushQueued` (see `LoopRooms`).
    public var isFlushPending = false
    /// The rooms joined, each with the highest sequence number queued for it
    /// (`RoomMessage.origin`); -1 before any, as a new room's snapshot carries 0.
    var rooms: [RoomName: Int] = [:]
    /// The handler of an `.application` endpoint's messages (nil on other endpoints).
    var application: (any WebSocketApplicationHandler)?

    init(socket: UpgradedSocket, endpoint: WebSocketEndpoint, loopContext: WebSocketLoopContext,
         deflate: PerMessageDeflateParameters?, counters: WebSocketCounters) {
        self.socket = socket
        self.endpoint = endpoint
        self.loopContext = loopContext
        self.counters = counters
        self.deflate = deflate
        acceptsSharedDeflate = deflate?.serverMaxWindowBits == 15
        decoder = WebSocketFrameDecoder(limits: endpoint.limits, allowsCompressedFrames: deflate != nil)
        assembler = WebSocketMessageAssembler(limits: endpoint.limits, inflater: deflate?.makeInflater())
        outbound = OutboundQueue(limits: endpoint.outboundLimits)
        lastHeard = socket.loop.now
    }

    /// Starts the connection on its loop: pending `101` bytes, buffered input, initial rooms.
    func start(initialRooms: [RoomName]) {
        let loop = socket.loop
        counters.connectionOpened()
        if !socket.pendingOutput.isEmpty {
            isUpgradeHeadQueued = outbound.enqueue(SharedFrame(socket.pendingOutput), delivery: .mustDeliver,
                                                   now: loop.now) != .overHardLimit
        }
        // After the `101` head: the application's first message (an open packet) follows it.
        if case .application(let app) = endpoint.kind { application = app.open(self, loop) }
        for room in initialRooms { join(room, loop: loop) }
        if socket.isDraining {
            drain(loop: loop)
        } else if !socket.inbound.isEmpty {
            inbound = socket.inbound
            processInbound(loop: loop)
        }
        flush(loop: loop)
        armPingDeadline(loop: loop)
    }

    public func handleEvent(_ events: PollEvents, loop: EventLoop) {
        if events.contains(.error) { return closeSocket(loop: loop) }
        if events.contains(.writable) { flush(loop: loop) }
        guard !isClosed else { return }
        if isOutputBackedUp {
            // Not reading (backpressure). A peer that hung up will never read the queue.
            if events.contains(.hangup) { return closeSocket(loop: loop) }
            // A TLS write may be waiting for input rather than for room in the socket.
            if !events.contains(.writable) { flush(loop: loop) }
            return
        }
        guard socket.transport.shouldRead(on: events) else { return }
        readAvailable(loop: loop)
    }

    /// Whether the queue's footprint is past the soft limit: time to stop reading.
    var isOutputBackedUp: Bool {
        outbound.footprintBytes > outbound.limits.softBytes
    }

    public func deadlineReached(at now: LoopInstant, loop: EventLoop) {
        armedDeadline = nil
        guard !isClosed else { return }
        if isCloseSent {
            // A timer armed before (the HTTP connection's, before the upgrade, or an earlier
            // ping's) may fire first: wait for the close's own deadline.
            if let closeDeadline, now < closeDeadline { return armPingDeadline(loop: loop) }
            // The peer had its chance to answer our close; give up on it.
            return closeSocket(loop: loop)
        }
        let pingDue = lastHeard.advanced(by: endpoint.limits.pingInterval)
        guard now >= pingDue else { return armPingDeadline(loop: loop) }
        if missedPongs >= endpoint.limits.maxMissedPongs { return closeSocket(loop: loop) }
        missedPongs += 1
        lastHeard = now
        var ping: [UInt8] = []
        WebSocketFrameEncoder.encodePing(into: &ping)
        send(ping, loop: loop)
        armPingDeadline(loop: loop)
    }

    public func drain(loop: EventLoop) {
        startClose(code: .goingAway, reason: .serverShuttingDown, loop: loop)
    }

    public func forceClose(loop: EventLoop) {
        closeSocket(loop: loop)
    }

    public func queue(_ message: RoomMessage, now: LoopInstant, loop: EventLoop) -> Bool {
        guard !isClosed, !isCloseSent else { return false }
        let layered = application != nil
        if layered && message.layered == nil { return false }
        if let origin = message.origin, let last = rooms[origin.room] {
            // Already covered by the snapshot this connection got when it joined.
            guard origin.sequence > last else { return false }
            rooms[origin.room] = origin.sequence
        }
        let frame = layered ? message.layered?.frame ?? message.plain : message.frame(compressed: acceptsSharedDeflate)
        switch outbound.enqueue(frame, delivery: message.delivery, now: now) {
        case .queued: break
        case .replacedOlder: counters.messageCoalesced()
        case .overHardLimit:
            counters.slowConnectionClosed()
            closesAfterFlush = true
            startClose(code: .tryAgainLater, reason: .outboundLimitExceeded, loop: loop, discardQueued: true)
            return false
        }
        return true
    }

    func armPingDeadline(loop: EventLoop) {
        guard !isClosed else { return }
        let deadline = isCloseSent
            ? closeDeadline ?? loop.now.advanced(by: Self.closeAnswerTimeout)
            : lastHeard.advanced(by: endpoint.limits.pingInterval)
        if let armed = armedDeadline, armed <= deadline { return }
        armedDeadline = deadline
        loop.armDeadline(deadline, for: socket.registration)
    }
}

@available(*, unavailable)
extension WebSocketConnection: Sendable {}
