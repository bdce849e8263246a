import Glibc
import WSLoadCore

/// The publisher's I/O: connect, write one POST, read and check its response.
extension LoadRun {
    /// Opens the publisher's connection; `publisher.state` becomes `.ready` once it is up.
    func connectPublisher() {
        guard let fd = Socket.connect(host: options.host, port: options.port) else {
            counters.postIOErrors += 1
            publisher.state = .failed
            return
        }
        publisher.fd = fd
        publisher.state = .connecting
        poller.add(fd, interest: Poller.writable, token: Poller.publisherToken)
    }

    /// Publishes the next message (seq = `bodies.count`): its body is recorded with its send
    /// time before a byte leaves, so a subscriber can never see a body we do not know.
    func publishNext() {
        precondition(publisher.state == .ready, "one POST at a time")
        let seq = bodies.count
        let now = monotonicNanos()
        let body = PublishedMessage.make(seq: seq, sendTimeNanos: now, targetBytes: options.bodyBytes)
        bodies.append(body)
        sendTimes.append(now)
        receipts.append(0)
        lastReceipt.append(0)
        publisher.request = PublishRequest.make(host: options.host, port: options.port, room: options.room, body: body,
                                                bearerToken: options.bearerToken)
        publisher.written = 0
        publisher.sentAt = now
        publisher.state = .sending
        writeRequest()
    }

    func publisherEvent(_ events: UInt32) {
        switch publisher.state {
        case .connecting:
            guard events & Poller.failed == 0, Socket.pendingError(publisher.fd) == 0 else { return publisherFailed() }
            publisher.state = .ready
            poller.modify(publisher.fd, interest: Poller.readable, token: Poller.publisherToken)
        case .sending:
            if events & Poller.writable != 0 { writeRequest() }
            if events & Poller.readable != 0 { readResponse() }
        case .awaitingResponse, .ready:
            readResponse()
        case .failed:
            break
        }
    }

    private func writeRequest() {
        let result = publisher.request.withUnsafeBytes {
            Socket.write(publisher.fd, UnsafeRawBufferPointer(rebasing: $0[publisher.written...]))
        }
        switch result {
        case .transferred(let count): publisher.written += count
        case .wouldBlock: break
        case .closed: return publisherFailed()
        }
        if publisher.written == publisher.request.count {
            publisher.state = .awaitingResponse
            poller.modify(publisher.fd, interest: Poller.readable, token: Poller.publisherToken)
        } else {
            poller.modify(publisher.fd, interest: Poller.readable | Poller.writable, token: Poller.publisherToken)
        }
    }

    private func readResponse() {
        switch Socket.read(publisher.fd, into: scratch) {
        case .transferred(let count): publisher.inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
        case .wouldBlock: return
        case .closed: return publisherFailed()
        }
        let outcome: HTTPResponseReader.Outcome
        do {
            outcome = try publisher.inbound.withUnsafeBytes { bytes throws(ResponseError) in try HTTPResponseReader.read(bytes) }
        } catch {
            log("publisher: bad response: \(error)")
            return publisherFailed()
        }
        guard case .complete(let status, let body, let consumed) = outcome else { return }
        // A response before the whole request was written, or one nobody asked for, breaks
        // the one-at-a-time exchange.
        guard publisher.state == .awaitingResponse else { return publisherFailed() }
        publisher.inbound.removeFirst(consumed)
        publisher.roundTrips.append(monotonicNanos() - publisher.sentAt)
        if status != 200 {
            counters.postFailures += 1
            log("publisher: status \(status): \(String(decoding: body, as: UTF8.self))")
        } else if Publisher.recipients(in: body) != expectedRecipients {
            counters.recipientMismatches += 1
            log("publisher: \(String(decoding: body, as: UTF8.self)), expected \(expectedRecipients) recipients")
        }
        publisher.state = .ready
    }

    private func publisherFailed() {
        counters.postIOErrors += 1
        log("publisher: connection failed")
        if publisher.fd >= 0 {
            poller.remove(publisher.fd)
            Glibc.close(publisher.fd)
            publisher.fd = -1
        }
        publisher.state = .failed
    }
}
