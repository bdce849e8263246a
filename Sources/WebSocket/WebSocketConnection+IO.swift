import CLinux
public import EventLoop
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// Reading frames, writing the queue, and closing.
extension WebSocketConnection {
    func readAvailable(loop: EventLoop) {
        guard !isOutputBackedUp else {
            isReadingPaused = true
            return
        }
        var reads = 0
        while !isClosed && reads < 4 {
            let result: IOResult
            do {
                result = try socket.transport.read(socket.registration.fd, into: loopContext.scratch)
            } catch {
                return closeSocket(loop: loop)
            }
            switch result {
            case .transferred(let count):
                reads += 1
                inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: loopContext.scratch[..<count]))
                if count < loopContext.scratch.count { reads = .max }
            case .wouldBlock:
                reads = .max
            case .endOfStream:
                // RFC 6455 §7.1.1: the peer closed TCP; nothing more can be said.
                processInbound(loop: loop)
                return closeSocket(loop: loop)
            }
        }
        // TLS may hold the rest of a record past a full read budget, which epoll cannot see.
        if reads != .max && socket.transport.hasBufferedInput { scheduleRead(loop: loop) }
        processInbound(loop: loop)
        flush(loop: loop)
    }

    /// Reads again later in this loop iteration (after the other ready events).
    private func scheduleRead(loop: EventLoop) {
        let registration = socket.registration
        loop.schedule(at: loop.now) { [weak self] in
            guard let self, !self.isClosed, loop.isCurrent(registration) else { return }
            self.readAvailable(loop: loop)
        }
    }

    /// Decodes and handles every complete frame in `inbound`, stopping early (and pausing
    /// reads) when the output backs up.
    func processInbound(loop: EventLoop) {
        var consumedTotal = 0
        isProcessingInbound = true
        defer {
            isProcessingInbound = false
            if consumedTotal > 0 && !isClosed {
                if consumedTotal == inbound.count {
                    inbound.removeAll(keepingCapacity: false)  // idle connections hold no buffer
                } else {
                    inbound.removeFirst(consumedTotal)
                }
            }
        }
        while !isClosed {
            if isOutputBackedUp {
                isReadingPaused = true
                return
            }
            let decoded = inbound.withUnsafeBytes { bytes in
                Result { () throws(WebSocketProtocolError) in
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[consumedTotal...]))
                }
            }
            switch decoded {
            case .failure(let error):
                return fail(error, loop: loop)
            case .success(.needMoreBytes):
                return
            case .success(.frame(let frame, let consumed)):
                consumedTotal += consumed
                lastHeard = loop.now
                missedPongs = 0
                do {
                    if let message = try assembler.frameReceived(frame) { handle(message, loop: loop) }
                } catch {
                    return fail(error, loop: loop)
                }
            }
        }
    }

    private func handle(_ message: WebSocketMessage, loop: EventLoop) {
        switch message {
        case .ping(let payload):
            guard !isCloseSent else { return }
            var pong: [UInt8] = []
            WebSocketFrameEncoder.encodePong(payload: payload, into: &pong)
            send(pong, loop: loop)
        case .pong:
            break
        case .close(let code, _):
            if isCloseSent { return closeSocket(loop: loop) }
            // Echo the peer's code (RFC 6455 §5.5.1); a close without a code gets an empty one.
            var frame: [UInt8] = []
            if let code { WebSocketFrameEncoder.encodeClose(code: code, reason: .normal, into: &frame) }
            else { WebSocketFrameEncoder.encodeEmptyClose(into: &frame) }
            isCloseSent = true
            closesAfterFlush = true
            send(frame, loop: loop)
        case .text(let bytes):
            guard !isCloseSent else { return }
            endpoint.textReceived(bytes, connection: self, loop: loop)
        case .binary(let bytes):
            guard !isCloseSent else { return }
            endpoint.binaryReceived(bytes, connection: self, loop: loop)
        }
    }

    /// Fails the connection for a protocol violation (STYLE §5): close frame, then TCP close.
    func fail(_ error: WebSocketProtocolError, loop: EventLoop) {
        closesAfterFlush = true
        startClose(code: error.closeCode, reason: error.reason, loop: loop)
    }

    /// Sends a close frame (once) and stops accepting messages; the socket closes when the
    /// frame is written and the peer answered, or after a short deadline.
    func startClose(code: CloseCode, reason: CloseReason, loop: EventLoop, discardQueued: Bool = false) {
        guard !isCloseSent, !isClosed else { return }
        if discardQueued { outbound.discardUnstarted() }
        var frame: [UInt8] = []
        WebSocketFrameEncoder.encodeClose(code: code, reason: reason, into: &frame)
        isCloseSent = true
        closeDeadline = loop.now.advanced(by: Self.closeAnswerTimeout)
        send(frame, loop: loop)
        armedDeadline = nil
        armPingDeadline(loop: loop)
    }

    /// Queues a frame made for this connection alone (control frames, echo and error
    /// replies) and writes. Past the hard limit (or the soft one for too long) the
    /// connection is closed with 1013; when even that close frame does not fit, at once.
    func send(_ frame: [UInt8], loop: EventLoop) {
        send(SharedFrame(frame), loop: loop)
    }

    /// Queues a frame (made for this connection, or shared) as `send(_:[UInt8])` does.
    func send(_ frame: SharedFrame, loop: EventLoop) {
        guard !isClosed else { return }
        guard outbound.enqueue(frame, delivery: .mustDeliver, now: loop.now) != .overHardLimit else {
            if isCloseSent { return closeSocket(loop: loop) }
            counters.slowConnectionClosed()
            closesAfterFlush = true
            return startClose(code: .tryAgainLater, reason: .outboundLimitExceeded, loop: loop, discardQueued: true)
        }
        flush(loop: loop)
    }

    /// Writes the queue with `writev`; arms `EPOLLOUT` only after a short write. Stops
    /// reading while the output is backed up and resumes once it is within the soft limit.
    public func flush(loop: EventLoop) {
        guard !isClosed else { return }
        let queuedFrames = outbound.count
        let outcome = loopContext.flush(&outbound, socket: socket)
        // Nothing is queued while flushing, so the frames gone are the frames written (the
        // `101` head, first in the queue, is not a frame).
        var written = queuedFrames - outbound.count
        if written > 0 && isUpgradeHeadQueued {
            written -= 1
            isUpgradeHeadQueued = false
        }
        counters.framesWritten(written)
        switch outcome {
        case .blocked:
            setInterest(isOutputBackedUp ? .writable : [.readable, .writable], loop: loop)
            return resumeReadingIfDrained(loop: loop)
        case .failed: return closeSocket(loop: loop)
        case .drained: setInterest(.readable, loop: loop)
        }
        // Once the close frame is out after the peer's close (or after failing it), the
        // server closes TCP first (RFC 6455 §7.1.1).
        if closesAfterFlush { return closeSocket(loop: loop) }
        resumeReadingIfDrained(loop: loop)
    }

    /// After backpressure: handles the frames already read, then reads again (epoll reports
    /// the socket readable once it is in the interest; TLS may hold decrypted input).
    private func resumeReadingIfDrained(loop: EventLoop) {
        guard isReadingPaused, !isProcessingInbound, !isOutputBackedUp, !isClosed else { return }
        isReadingPaused = false
        if !inbound.isEmpty { processInbound(loop: loop) }
        if !isClosed && !isReadingPaused && socket.transport.hasBufferedInput { scheduleRead(loop: loop) }
    }

    func setInterest(_ wanted: PollEvents, loop: EventLoop) {
        let wanted = socket.transport.interest(for: wanted)
        guard wanted != interest, !isClosed else { return }
        interest = wanted
        loop.modify(socket.registration, interest: wanted)
    }

    /// Deregisters, closes the socket, leaves every room and gives back the slot.
    func closeSocket(loop: EventLoop) {
        guard !isClosed else { return }
        isClosed = true
        for room in rooms.keys { loopContext.rooms.leave(room, self) }
        rooms.removeAll()
        socket.transport.close()
        loop.deregisterClosingSoleDescriptor(socket.registration)  // an accepted socket: never duplicated
        inbound = []
        outbound = OutboundQueue(limits: outbound.limits)
        socket.release(loop)
        counters.connectionClosed()
        let handler = application
        application = nil
        handler?.closed(loop: loop)
    }
}
