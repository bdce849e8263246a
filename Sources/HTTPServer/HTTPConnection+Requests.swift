import EventLoop

/// Parsing and dispatching requests in arrival order.
extension HTTPConnection {
    /// Handles every complete request in `inbound`, stopping at an outstanding asynchronous
    /// response, a partial request, or too much unsent output.
    ///
    /// The clock is read once here for the whole batch: it dates the arrival of each request
    /// and the response of each `.immediate` route (a prebuilt answer takes no measurable
    /// time), so a keep-alive probe costs one clock read, not two. Other handlers' responses
    /// are dated after the handler returns.
    func processInbound(loop: EventLoop) {
        let now = loop.now
        while !isClosed && !isLingering && machine.state != .awaitingResponse && machine.state != .closing
            && outbound.count - outboundSent < Self.outboundHighWaterBytes {
            do throws(HTTPParseError) {
                guard try advanceCurrentRequest(at: now, loop: loop) else { break }
            } catch {
                reject(error, loop: loop)
            }
        }
        compactInbound()
        if peerFinishedSending && !isClosed && machine.state != .awaitingResponse {
            // The client sent all it will; what is left unparsed can never complete.
            machine.closeRequested()
            if isOutputDrained { close(loop: loop) }
        }
    }

    /// Moves the current request forward; returns true when one was dispatched.
    private func advanceCurrentRequest(at now: LoopInstant, loop: EventLoop) throws(HTTPParseError) -> Bool {
        if !hasHead {
            guard inbound.count > requestStart else { return false }
            if parserNeedsReset {
                // Reset only now, when nothing reads the last head any more; the parser keeps
                // its fields array's capacity instead of allocating.
                parser.reset()
                parserNeedsReset = false
            }
            apply(machine.requestBytesArrived(at: now), loop: loop)
            let result = try inbound.withUnsafeBytes { bytes in
                Result { () throws(HTTPParseError) in try parser.parse(UnsafeRawBufferPointer(rebasing: bytes[requestStart...])) }
            }.get()
            guard case .complete(let consumed) = result else { return false }
            try beginBody(headBytes: consumed, at: now, loop: loop)
        }
        if let decoder = bodyDecoder, !decoder.isComplete {
            var decoder = decoder
            let consumed = try inbound.withUnsafeBytes { bytes in
                Result { () throws(HTTPParseError) in
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[bodyCursor...]), into: &body)
                }
            }.get()
            bodyCursor += consumed
            bodyDecoder = decoder
            guard decoder.isComplete else { return false }
        }
        dispatchCurrentRequest(at: now, loop: loop)
        return true
    }

    private func beginBody(headBytes: Int, at now: LoopInstant, loop: EventLoop) throws(HTTPParseError) {
        hasHead = true
        bodyCursor = requestStart + headBytes
        let isChunked = parser.head.isChunked
        let contentLength = parser.head.contentLength
        let framing: HTTPBodyDecoder.Framing =
            isChunked ? .chunked : (contentLength.map { $0 > 0 ? .contentLength($0) : .none } ?? .none)
        bodyDecoder = framing == .none ? nil : try HTTPBodyDecoder(framing: framing, maxBodyBytes: context.limits.maxBodyBytes)
        if bodyDecoder != nil {
            // The body-read clock starts now. A request without a body is dispatched at
            // once, so the keep-alive probe path reads no clock here.
            machine.headReceived(at: now)
            armDeadlineIfNeeded(loop: loop)
        }
        // RFC 9110 §10.1.1: answer 100 Continue only if the body has not started arriving.
        if parser.head.expectsContinue && parser.head.version == .http1_1 && bodyDecoder != nil && bodyCursor == inbound.count {
            outbound.append(contentsOf: HTTPResponseEncoder.continueResponse)
        }
    }

    private func dispatchCurrentRequest(at now: LoopInstant, loop: EventLoop) {
        guard hasHead else { return }
        requestNumber &+= 1
        let method = parser.head.method
        noteRequestStart(method: method, loop: loop)
        machine.requestDispatched()
        pendingRequestKeepsAlive = parser.head.keepAlive
        pendingRequestIsHead = method == .head
        pendingRequestVersion = parser.head.version
        let path = parser.head.path
        let match = inbound.withUnsafeBytes { bytes in
            context.router.match(method: method, path: UnsafeRawBufferPointer(rebasing: bytes[(requestStart + path.lowerBound)..<(requestStart + path.upperBound)]))
        }
        if case .found(_, _, let route) = match { pendingRoute = route }
        switch match {
        case .found(.immediate(let handler), _, _):
            finishRequest(with: handler(method), at: now, loop: loop)
        case .found(.synchronous(let handler), let parameters, _):
            let response = handler(makeRequest(parameters: parameters))
            finishRequest(with: response, at: loop.now, loop: loop)
        case .found(.asynchronous(let handler), let parameters, _):
            let request = makeRequest(parameters: parameters)
            let responder = HTTPResponder(loop: loop.handle, registration: registration, requestNumber: requestNumber)
            finishRequestBytes()
            handler(request, responder)
        case .found(.upgrade(let handler), let parameters, _):
            let request = makeRequest(parameters: parameters)
            finishRequestBytes()
            switch handler(request) {
            case .reject(let response): queueResponse(response, at: loop.now, loop: loop)
            case .accept(let acceptance): handOver(acceptance, loop: loop)
            case .respondLater(let body):
                body(HTTPResponder(loop: loop.handle, registration: registration, requestNumber: requestNumber), loop)
            }
        case .methodNotAllowed(let allow):
            finishRequest(with: .error(.methodNotAllowed, code: "method_not_allowed",
                                       message: "This path does not support the \(method.name) method.",
                                       headers: [("Allow", allow)]), at: now, loop: loop)
        case .notFound:
            finishRequest(with: .error(.notFound, code: "not_found", message: "No route for this path."), at: now, loop: loop)
        }
    }

    /// Gives the socket, with unread input and the queued `101` head, to the new protocol's
    /// handler (see `HTTPUpgrade`), which writes the head first. The head is not written
    /// here: the handler joins its rooms when it is made, and a client that saw the head
    /// before that could publish to a room it is not yet in and miss its own message.
    private func handOver(_ acceptance: HTTPUpgradeAcceptance, loop: EventLoop) {
        // Reported before the write, so the observer has heard of it when the client has.
        observeResponse(statusCode: HTTPStatus.switchingProtocols.code, at: loop.now, loop: loop)
        appendUpgradeHead(acceptance.responseHead)
        if !isNoDelaySet { setNoDelay() }  // the protocol after the 101 writes small frames
        let context = context
        let socket = UpgradedSocket(
            registration: registration, loop: loop, transport: transport,
            inbound: Array(inbound[requestStart...]),
            pendingOutput: Array(outbound[outboundSent...]),
            isDraining: context.isDraining,
            release: { loop in context.connectionClosed(loop: loop) })
        isClosed = true
        inbound = []
        outbound = []
        // The new protocol's handler expects the level-triggered registration it would get.
        if interest.contains(.edgeTriggered) { loop.modify(registration, interest: interest.subtracting(.edgeTriggered)) }
        loop.replaceHandler(of: registration, with: acceptance.makeHandler(socket))
    }

    /// Queues the `101` head; over TLS with `Strict-Transport-Security` before its blank line,
    /// as on every other response.
    private func appendUpgradeHead(_ responseHead: [UInt8]) {
        let blankLine = HTTPResponseEncoder.blankLine
        guard transport.isEncrypted, responseHead.count >= 4, responseHead.suffix(4).elementsEqual(blankLine) else {
            outbound.append(contentsOf: responseHead)
            return
        }
        outbound.append(contentsOf: responseHead.dropLast(2))
        outbound.append(contentsOf: HTTPResponseEncoder.strictTransportSecurityLine)
        outbound.append(contentsOf: blankLine.suffix(2))
    }

    /// Marks the current request's bytes consumed and readies the parser for the next one.
    private func finishRequestBytes() {
        requestStart = bodyCursor
        hasHead = false
        bodyDecoder = nil
        parserNeedsReset = true
        if !body.isEmpty { body.removeAll(keepingCapacity: body.capacity <= 64 * 1024) }
    }

    private func finishRequest(with response: HTTPResponse, at now: LoopInstant, loop: EventLoop) {
        finishRequestBytes()
        queueResponse(response, at: now, loop: loop)
    }

    /// An asynchronous handler answered (called on this connection's loop).
    func asynchronousResponseArrived(_ response: HTTPResponse, requestNumber number: UInt64, loop: EventLoop) {
        guard !isClosed, number == requestNumber, machine.state == .awaitingResponse else { return }
        queueResponse(response, at: loop.now, loop: loop)
        processInbound(loop: loop)
        flush(loop: loop)
    }

    /// The current request (`parser.head` and `body`) as strings, for handlers that read more
    /// than the method.
    private func makeRequest(parameters: [String: String]) -> HTTPRequest {
        let head = parser.head
        return inbound.withUnsafeBytes { all in
            let bytes = UnsafeRawBufferPointer(rebasing: all[requestStart...])
            func text(_ range: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
            // An absolute-form target may have an empty path (`http://host`): that is `/`.
            var request = HTTPRequest(method: head.method, path: head.path.isEmpty ? "/" : text(head.path),
                                      query: head.query.map(text),
                                      headers: head.fields.map { (text($0.name), text($0.value)) },
                                      body: body, pathParameters: parameters)
            request.version = head.version
            request.targetAuthority = head.authority.map(text)
            return request
        }
    }

    /// Drops consumed bytes from the front of `inbound` (offsets stay relative to `requestStart`).
    private func compactInbound() {
        guard requestStart > 0, !isClosed else { return }
        if requestStart == inbound.count {
            // Keep a small buffer's capacity for the next keep-alive request; give big ones back.
            inbound.removeAll(keepingCapacity: inbound.capacity <= 16 * 1024)
        } else {
            inbound.removeFirst(requestStart)
        }
        bodyCursor -= requestStart
        requestStart = 0
    }
}
