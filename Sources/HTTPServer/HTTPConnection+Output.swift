import CLinux
import EventLoop
#if canImport(Glibc)
import Glibc
#endif

/// Writing responses: encoding into the output buffer, flushing, and closing cleanly.
extension HTTPConnection {
    /// Encodes `response` (head and body in one buffer, so they leave in one send and Nagle
    /// never splits them) and updates the state machine; `now` is when it was produced.
    func queueResponse(_ response: HTTPResponse, at now: LoopInstant, loop: EventLoop) {
        let wantsKeepAlive = pendingRequestKeepsAlive && !response.closesConnection
        // Requests pipelined behind this one and already read are answered even in a drain.
        let requestBytesWaiting = inbound.count > requestStart
        let keepAlive = machine.responseQueued(keepAlive: wantsKeepAlive && (!context.isDraining || requestBytesWaiting),
                                               requestBytesWaiting: requestBytesWaiting, at: now)
        context.refreshDate()
        HTTPResponseEncoder.writeHead(of: response, version: pendingRequestVersion, keepAlive: keepAlive,
                                      overTLS: transport.isEncrypted, date: context.dateCache, into: &outbound)
        if !pendingRequestIsHead { HTTPResponseEncoder.append(response.storage.body, to: &outbound) }
        if keepAlive { armDeadlineIfNeeded(loop: loop) }
        observeResponse(statusCode: response.storage.status.code, at: now, loop: loop)
    }

    /// Sends an error response with `Connection: close` and stops reading requests
    /// (STYLE §5: a peer error ends that connection, not the process).
    func reject(_ error: HTTPParseError, loop: EventLoop) {
        queueErrorResponse(error.status, code: error.code, message: error.message, loop: loop)
    }

    func queueErrorResponse(_ status: HTTPStatus, code: String, message: String, loop: EventLoop) {
        pendingRequestKeepsAlive = false
        pendingRequestIsHead = false
        pendingRequestVersion = .http1_1
        // Errors come before routing: no route, and the method only if the head was parsed.
        noteRequestStart(method: hasHead ? parser.head.method : nil, loop: loop)
        machine.closeRequested()
        queueResponse(.error(status, code: code, message: message), at: loop.now, loop: loop)
        isLingering = true
        inbound = []
        requestStart = 0
        bodyCursor = 0
    }

    /// Writes queued output. On a short write, waits for `EPOLLOUT` and tells the state
    /// machine whether the socket took anything (the write timeout); once everything is
    /// out, closes if the state machine is closing, else resumes processing pipelined
    /// requests.
    func flush(loop: EventLoop) {
        guard !isClosed else { return }
        let sentBefore = outboundSent
        guard writeOutbound() else { return close(loop: loop) }
        if !isOutputDrained {
            apply(machine.outputBlocked(progressed: outboundSent != sentBefore, at: loop.now), loop: loop)
            setInterest(readInterest.union(.writable), loop: loop)
            return
        }
        if machine.writeStalledSince != nil { machine.outputDrained(at: loop.now) }
        outbound.removeAll(keepingCapacity: outbound.capacity <= 64 * 1024)
        outboundSent = 0
        setInterest(readInterest, loop: loop)
        if machine.state == .closing {
            finishClosing(loop: loop)
        } else if !hasHead && inbound.count > requestStart && machine.state != .awaitingResponse {
            // Requests held back by the output high-water mark can go on now.
            processInbound(loop: loop)
            if outboundSent < outbound.count { flush(loop: loop) }
        }
    }

    /// Whether every queued byte has left, including any the transport holds.
    var isOutputDrained: Bool { outboundSent == outbound.count && !transport.hasPendingOutput }

    /// Writes what the socket takes now, without waiting (also before an upgrade hands the
    /// rest over). Returns false when the socket failed.
    @discardableResult
    func writeOutbound() -> Bool {
        if !isNoDelaySet && (hasWritten || outbound.count - outboundSent > Self.noDelayFirstWriteBytes) {
            setNoDelay()
        }
        while outboundSent < outbound.count {
            hasWritten = true
            let result: IOResult
            do {
                result = try outbound.withUnsafeBytes { bytes throws(SocketError) in
                    try transport.write(registration.fd, UnsafeRawBufferPointer(rebasing: bytes[outboundSent...]))
                }
            } catch {
                return false
            }
            guard case .transferred(let count) = result else { return true }
            outboundSent += count
        }
        if transport.hasPendingOutput {
            do { _ = try transport.flushPendingOutput(registration.fd) } catch { return false }
        }
        return true
    }

    /// Turns Nagle's algorithm off for the rest of the connection (see `isNoDelaySet`).
    func setNoDelay() {
        isNoDelaySet = true
        SocketCalls.setNoDelay(registration.fd)
    }

    /// Closes after the last response was sent. When the client may still be sending
    /// (an error cut its request short), half-close first and read-and-discard until it
    /// closes or `lingerTimeout` passes: closing with unread input would make the kernel
    /// send a reset that can destroy our error response before the client reads it.
    private func finishClosing(loop: EventLoop) {
        guard isLingering && !peerFinishedSending else {
            close(loop: loop)
            return
        }
        guard lingerDeadline == nil else { return }
        transport.shutdownWrite(registration.fd)
        _ = shutdown(registration.fd, Int32(SHUT_WR))
        let deadline = loop.now.advanced(by: Self.lingerTimeout)
        lingerDeadline = deadline
        loop.armDeadline(deadline, for: registration)
    }

    /// Registers `wanted` (as the transport needs it). When reading resumes after a
    /// backpressure pause, TLS may already hold decrypted input that epoll will not report,
    /// so that is read in this iteration. Plain sockets are edge-triggered (see
    /// `HTTPConnection.pollMode`); re-registering after a pause reports input already there.
    func setInterest(_ wanted: PollEvents, loop: EventLoop) {
        guard !isClosed else { return }
        let resumesReading = wanted.contains(.readable) && !isReadWanted
        isReadWanted = wanted.contains(.readable)
        if resumesReading && transport.hasBufferedInput { scheduleRead(loop: loop) }
        let wanted = transport.interest(for: wanted).union(Self.pollMode(of: transport))
        guard wanted != interest else { return }
        interest = wanted
        loop.modify(registration, interest: wanted)
    }
}
