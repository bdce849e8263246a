import Glibc
import WSLoadCore

/// The publisher's I/O: connect, queue POSTs (pipelined when the schedule says so), write
/// them, read and check the responses in order.
extension LoadRun {
    /// Opens the publisher's connection; `publisher.state` becomes `.open` once it is up.
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

    /// Publishes the next message (seq = `bodies.count`): its body is recorded before a byte
    /// leaves, so a subscriber can never see a body we do not know. Latency of its deliveries
    /// counts from `dueAt` (an open-loop schedule's time) or, without one, from now.
    func publishNext(dueAt: UInt64? = nil) {
        precondition(publisher.state == .open, "publish on an open connection")
        let seq = bodies.count
        let now = monotonicNanos()
        let body = PublishedMessage.make(seq: seq, sendTimeNanos: now, targetBytes: options.bodyBytes)
        bodies.append(body)
        sendTimes.append(dueAt ?? now)
        receipts.append(0)
        lastReceipt.append(0)
        let request = PublishRequest.make(host: options.host, port: options.port, room: options.room, body: body,
                                          bearerToken: options.bearerToken)
        publisher.requests.enqueue(byteCount: request.count, sentAt: now)
        publisher.outbound += request
        writeRequests()
    }

    func publisherEvent(_ events: UInt32) {
        switch publisher.state {
        case .connecting:
            guard events & Poller.failed == 0, Socket.pendingError(publisher.fd) == 0 else { return publisherFailed() }
            publisher.state = .open
            poller.modify(publisher.fd, interest: Poller.readable, token: Poller.publisherToken)
        case .open:
            if events & Poller.writable != 0 { writeRequests() }
            if events & (Poller.readable | Poller.failed) != 0, publisher.state == .open { readResponses() }
        case .failed:
            break
        }
    }

    private func writeRequests() {
        guard !publisher.outbound.isEmpty else { return }
        let result = publisher.outbound.withUnsafeBytes { Socket.write(publisher.fd, $0) }
        switch result {
        case .transferred(let count):
            publisher.outbound.removeFirst(count)
            publisher.requests.wrote(count)
        case .wouldBlock: break
        case .closed: return publisherFailed()
        }
        let interest = publisher.outbound.isEmpty ? Poller.readable : Poller.readable | Poller.writable
        poller.modify(publisher.fd, interest: interest, token: Poller.publisherToken)
    }

    /// One read, then every complete response in what has arrived.
    private func readResponses() {
        switch Socket.read(publisher.fd, into: scratch) {
        case .transferred(let count): publisher.inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
        case .wouldBlock: return
        case .closed: return publisherFailed()
        }
        let now = monotonicNanos()
        while !publisher.inbound.isEmpty {
            let outcome: HTTPResponseReader.Outcome
            do {
                outcome = try publisher.inbound.withUnsafeBytes { bytes throws(ResponseError) in try HTTPResponseReader.read(bytes) }
            } catch {
                log("publisher: bad response: \(error)")
                return publisherFailed()
            }
            guard case .complete(let status, let body, let consumed) = outcome else { return }
            // A response before its request was wholly written, or one nobody asked for,
            // breaks the exchange.
            guard let sentAt = publisher.requests.answer() else { return publisherFailed() }
            publisher.inbound.removeFirst(consumed)
            publisher.roundTrips.append(now - sentAt)
            if status != 200 {
                counters.postFailures += 1
                log("publisher: status \(status): \(String(decoding: body, as: UTF8.self))")
            } else if Publisher.recipients(in: body) != expectedRecipients {
                counters.recipientMismatches += 1
                log("publisher: \(String(decoding: body, as: UTF8.self)), expected \(expectedRecipients) recipients")
            }
        }
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
