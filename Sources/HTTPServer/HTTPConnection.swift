import EventLoop

/// One client connection: its buffers, its parser and its state machine, on one loop.
///
/// The I/O shell around `HTTPConnectionStateMachine` (STYLE P1): it reads into the loop's
/// scratch buffer, keeps only unparsed bytes, parses requests in order, writes each
/// response head and body with one send, and applies the machine's actions. Output is
/// written as soon as a batch of pipelined requests has been answered; `EPOLLOUT` is armed
/// only after a short write and disarmed once the queue drains.
///
/// Backpressure, not buffering: while this connection cannot take another request (a
/// response is pending, output is above `outboundHighWaterBytes`, or it is closing) and
/// `inboundHighWaterBytes` of unparsed input already wait, it stops reading the socket and
/// drops read interest. The kernel's buffers then fill and the client's sends block; reading
/// resumes when the response is queued or the output drains. A client that pipelines
/// forever and never reads costs at most those two buffers, and `writeTimeout` ends it.
///
/// Bytes move through `transport` (plain or TLS). A plain-text client on a TLS port is
/// answered `400 tls_required` in plain text with `Connection: close`, then closed (nginx
/// answers 497 there): a browser user sees why, where a dropped connection says nothing.
///
/// Exclusivity: the buffers, parser and state machine below, touched several times per
/// request, are `@exclusivity(unchecked)`. A connection lives on one loop thread (it is not
/// `Sendable`), and no method holds an access to one of them across a call that can come
/// back into the connection (handlers run after `inbound` and `parser` are read; the
/// transport and the observer never call back), so the runtime check can never fire; it cost
/// 1.5 % of a keep-alive probe's CPU (`swift_beginAccess`, measured with `perf`).
final class HTTPConnection: DrainableConnection {
    let context: HTTPLoopContext
    let transport: ConnectionTransport
    var registration: Registration
    @exclusivity(unchecked) var machine: HTTPConnectionStateMachine
    @exclusivity(unchecked) var parser: HTTPHeadParser
    @exclusivity(unchecked) var parserNeedsReset = false
    /// Whether `parser.head` holds the current request's complete head. The head is read in
    /// place there, never copied: a copy costs a retain of its fields array and an outlined
    /// copy of the whole struct per request.
    @exclusivity(unchecked) var hasHead = false
    var bodyDecoder: HTTPBodyDecoder?
    var body: [UInt8] = []
    /// Unparsed input; the current request starts at `requestStart`.
    @exclusivity(unchecked) var inbound: [UInt8] = []
    @exclusivity(unchecked) var requestStart = 0
    /// Where the current request's body continues in `inbound`.
    @exclusivity(unchecked) var bodyCursor = 0
    @exclusivity(unchecked) var outbound: [UInt8] = []
    @exclusivity(unchecked) var outboundSent = 0
    @exclusivity(unchecked) var interest: PollEvents = .readable
    /// Whether the connection itself wants `.readable` (the transport may add or drop it).
    @exclusivity(unchecked) var isReadWanted = true
    @exclusivity(unchecked) var armedDeadline: LoopInstant?
    @exclusivity(unchecked) var requestNumber: UInt64 = 0
    @exclusivity(unchecked) var pendingRequestKeepsAlive = false
    @exclusivity(unchecked) var pendingRequestIsHead = false
    @exclusivity(unchecked) var pendingRequestVersion: HTTPVersion = .http1_1
    /// What the response observer is told about the request being answered.
    @exclusivity(unchecked) var pendingRoute: Int?
    @exclusivity(unchecked) var pendingMethod: HTTPMethod?
    @exclusivity(unchecked) var requestStartedAt = LoopInstant(nanoseconds: 0)
    @exclusivity(unchecked) var peerFinishedSending = false
    @exclusivity(unchecked) var isClosed = false
    /// Whether `TCP_NODELAY` is on. A plain connection turns it on lazily, before its second
    /// write (or a first one past `noDelayFirstWriteBytes`), as nginx does on keep-alive: a
    /// first small write goes out at once anyway (nothing is in flight for Nagle to wait on),
    /// so a `Connection: close` request costs no `setsockopt`.
    @exclusivity(unchecked) var isNoDelaySet = false
    @exclusivity(unchecked) var hasWritten = false
    /// After an error response: input is discarded, and the socket closes once the
    /// response is out and the peer has finished (or `lingerDeadline` passed).
    var isLingering = false
    var lingerDeadline: LoopInstant?

    /// How long a half-closed connection waits for the peer to finish after an error.
    static let lingerTimeout: Duration = .seconds(2)

    /// Requests stop being processed while this much output waits for a slow reader.
    static let outboundHighWaterBytes = 1 << 20

    /// Unparsed input kept while no request can be processed; past it, reading stops.
    /// 64 KiB, one scratch read: enough to hold the next few hundred pipelined small
    /// requests so the pipeline continues without a wait when the response goes out, and
    /// independent of `maxBodyBytes`. A request bigger than this is read on as soon as the
    /// connection can process it, under the usual head and body limits.
    ///
    /// The bound it gives: input read while requests could still be processed is one
    /// event's budget (`readsPerEvent` scratch reads) before processing; once processing is
    /// blocked, at most one more read lands past this mark. A client that pipelines forever
    /// without reading thus holds at most 256 KiB of unparsed input (with the 64 KiB
    /// scratch), plus the output the high-water mark allows.
    static let inboundHighWaterBytes = 64 * 1024

    /// The largest first write sent before `TCP_NODELAY` is on: below the smallest IPv4 MSS
    /// (536), so it is one segment and Nagle cannot hold any of it back.
    static let noDelayFirstWriteBytes = 512

    /// Reads per readiness event before the input is processed (so one client cannot hog
    /// the loop).
    static let readsPerEvent = 4

    /// How a connection's socket is registered: edge-triggered for plain TCP, which reads
    /// until a short read or `EAGAIN` and reschedules itself after a full read budget, so
    /// the kernel need not poll every ready socket a second time after reporting it (1 % of
    /// a keep-alive probe's CPU in `ep_item_poll`; nginx registers edge-triggered too).
    /// TLS stays level-triggered: its readiness depends on the other direction's progress.
    static func pollMode(of transport: ConnectionTransport) -> PollEvents {
        if case .plain = transport { return .edgeTriggered }
        return []
    }

    init(context: HTTPLoopContext, registration: Registration, transport: ConnectionTransport, now: LoopInstant) {
        self.context = context
        self.transport = transport
        self.registration = registration
        machine = HTTPConnectionStateMachine(limits: context.limits, now: now)
        parser = HTTPHeadParser(limits: context.limits)
    }

    func handleEvent(_ events: PollEvents, loop: EventLoop) {
        if events.contains(.error) {
            close(loop: loop)
            return
        }
        if events.contains(.writable) { flush(loop: loop) }
        guard !isClosed, transport.shouldRead(on: events) else { return }
        if peerFinishedSending || (events.contains(.hangup) && isReadPaused) {
            // Read interest is off after EOF or while paused, so this is a full hang-up
            // (reset, or both directions shut): nobody is left to answer.
            close(loop: loop)
        } else {
            readAvailable(loop: loop)
        }
    }

    func deadlineReached(at now: LoopInstant, loop: EventLoop) {
        if let lingerDeadline, now >= lingerDeadline {
            close(loop: loop)
            return
        }
        armedDeadline = nil
        apply(machine.deadlineReached(at: now), loop: loop)
        armDeadlineIfNeeded(loop: loop)
    }

    /// The server is draining: close if idle, else close after the requests already read.
    /// An idle connection reads first: a request the client sent just before the drain may
    /// wait unread in the socket, and closing over it would reset the connection and lose it;
    /// read, it is answered (with `Connection: close`) like any in flight.
    func drain(loop: EventLoop) {
        if case .idle = machine.state, !isClosed, !isLingering, !peerFinishedSending { readAvailable(loop: loop) }
        guard !isClosed else { return }
        apply(machine.drainRequested(), loop: loop)
    }

    func forceClose(loop: EventLoop) {
        close(loop: loop)
    }

    /// Reads what the socket has (bounded per event so one client cannot hog the loop, and
    /// not at all while paused for backpressure), then processes and answers complete
    /// requests.
    func readAvailable(loop: EventLoop) {
        var reads = 0
        while !isClosed && reads < Self.readsPerEvent && !isReadPaused {
            let result: IOResult
            do {
                result = try transport.read(registration.fd, into: context.scratch)
            } catch {
                close(loop: loop)
                return
            }
            switch result {
            case .transferred(let count):
                reads += 1
                if !isLingering { inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: context.scratch[..<count])) }
                if count < context.scratch.count { reads = .max }
            case .wouldBlock:
                reads = .max
            case .endOfStream:
                peerFinishedSending = true
                reads = .max
            }
        }
        guard !isClosed else { return }
        if transport.isPlainTextPeer && !isLingering { return rejectPlainTextPeer(loop: loop) }
        // Input may be left past a full read budget that epoll will not report again: TLS's
        // rest of a record, or anything still in the socket when edge-triggered.
        if reads != .max && !isReadPaused && (transport.hasBufferedInput || interest.contains(.edgeTriggered)) {
            scheduleRead(loop: loop)
        }
        if peerFinishedSending { setInterest(readInterest.union(interest.intersection(.writable)), loop: loop) }
        if isLingering {
            if peerFinishedSending && isOutputDrained { close(loop: loop) }
            return
        }
        processInbound(loop: loop)
        flush(loop: loop)
    }

    private func rejectPlainTextPeer(loop: EventLoop) {
        queueErrorResponse(.badRequest, code: "tls_required", message: "This port speaks HTTPS; use https://", loop: loop)
        flush(loop: loop)
    }

    /// Reads again later in this loop iteration (after the other ready events).
    func scheduleRead(loop: EventLoop) {
        let registration = registration
        loop.schedule(at: loop.now) { [weak self] in
            guard let self, !self.isClosed, loop.isCurrent(registration) else { return }
            self.readAvailable(loop: loop)
        }
    }

    func apply(_ action: HTTPConnectionStateMachine.Action, loop: EventLoop) {
        switch action {
        case .none: break
        case .armDeadline: armDeadlineIfNeeded(loop: loop)
        case .rejectTimedOutRequest:
            queueErrorResponse(.requestTimeout, code: "request_timeout",
                               message: "The request head did not arrive in time.", loop: loop)
            flush(loop: loop)
        case .rejectTimedOutBody:
            queueErrorResponse(.requestTimeout, code: "request_timeout",
                               message: "The request body did not arrive in time.", loop: loop)
            flush(loop: loop)
        case .closeConnection:
            if isOutputDrained { close(loop: loop) }
        case .closeStalledConnection:
            close(loop: loop)
        }
    }

    /// Keeps one timer entry per connection, never further ahead than the header-read
    /// timeout. A new request's header deadline is then never earlier than the entry
    /// already armed, so keep-alive requests re-arm nothing (no heap growth, no
    /// allocation); an idle connection just wakes every `headerReadTimeout` to re-check.
    func armDeadlineIfNeeded(loop: EventLoop) {
        guard let deadline = machine.deadline, !isClosed else { return }
        if let armed = armedDeadline, armed <= deadline { return }
        let wake = min(deadline, loop.now.advanced(by: context.limits.headerReadTimeout))
        armedDeadline = wake
        loop.armDeadline(wake, for: registration)
    }

    /// `.readable` until the peer has finished sending (no spinning on EOF), and not while
    /// reading is paused for backpressure.
    var readInterest: PollEvents { peerFinishedSending || isReadPaused ? [] : .readable }

    /// Whether reading stops for backpressure: `inboundHighWaterBytes` of unparsed input
    /// wait and no request can be processed now (a response is pending, output is over its
    /// high-water mark, or the connection is closing). The size is compared first, so the
    /// keep-alive path pays one comparison.
    var isReadPaused: Bool {
        inbound.count - requestStart >= Self.inboundHighWaterBytes
            && (machine.state == .awaitingResponse || machine.state == .closing
                || outbound.count - outboundSent >= Self.outboundHighWaterBytes)
    }

    /// Deregisters and (at the end of the iteration) closes the socket.
    func close(loop: EventLoop) {
        guard !isClosed else { return }
        isClosed = true
        transport.close()
        loop.deregisterClosingSoleDescriptor(registration)  // an accepted socket: never duplicated
        inbound = []
        outbound = []
        body = []
        context.connectionClosed(loop: loop)
    }
}

@available(*, unavailable)
extension HTTPConnection: Sendable {}
