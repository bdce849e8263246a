import Glibc
import WSLoadCore

/// The subscribers' I/O: connect, handshake, then strict frame checks on every read.
extension LoadRun {
    /// Starts handshakes until `inFlight` are under way or all have started.
    func startMoreConnections() {
        while nextToStart < subscribers.count && inFlight < options.inFlight {
            let subscriber = subscribers[nextToStart]
            nextToStart += 1
            inFlight += 1
            subscriber.startNanos = monotonicNanos()
            guard let fd = Socket.connect(host: options.host, port: options.port) else {
                counters.connectFailures += 1
                close(subscriber)
                continue
            }
            subscriber.fd = fd
            subscriber.state = .connecting
            poller.add(fd, interest: Poller.writable, token: UInt64(subscriber.index))
        }
    }

    func subscriberEvent(_ subscriber: Subscriber, _ events: UInt32) {
        switch subscriber.state {
        case .connecting: connected(subscriber, events)
        case .handshaking, .open: readable(subscriber)
        case .notStarted, .closed: break
        }
    }

    private func connected(_ subscriber: Subscriber, _ events: UInt32) {
        guard events & Poller.failed == 0, Socket.pendingError(subscriber.fd) == 0 else {
            counters.connectFailures += 1
            return close(subscriber)
        }
        let nonce = (0..<2).flatMap { _ in withUnsafeBytes(of: nextRandom()) { Array($0) } }
        let key = HandshakeKey(nonce: nonce)
        subscriber.key = key
        let request = subscriber.handshakeRequest(host: options.host, port: options.port, room: options.room, key: key,
                                                      socketIO: options.socketIO)
        // A fresh socket's send buffer takes a 250-byte request whole.
        guard case .transferred(request.count) = request.withUnsafeBytes({ Socket.write(subscriber.fd, $0) }) else {
            counters.connectFailures += 1
            return close(subscriber)
        }
        subscriber.state = .handshaking
        poller.modify(subscriber.fd, interest: Poller.readable, token: UInt64(subscriber.index))
    }

    /// One read per readiness event (level-triggered), so no connection starves the others.
    private func readable(_ subscriber: Subscriber) {
        let count: Int
        switch Socket.read(subscriber.fd, into: scratch) {
        case .transferred(let read): count = read
        case .wouldBlock: return
        case .closed:
            if subscriber.state == .handshaking { counters.handshakeEOF += 1 } else { counters.eofAfterOpen += 1 }
            log("connection \(subscriber.index) closed by the server")
            return close(subscriber)
        }
        let now = monotonicNanos()
        if subscriber.pending.isEmpty {
            let consumed = process(subscriber, UnsafeRawBufferPointer(rebasing: scratch[..<count]), now: now)
            if consumed < count { subscriber.pending = Array(scratch[consumed..<count]) }
        } else {
            subscriber.pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
            let consumed = subscriber.pending.withUnsafeBytes { process(subscriber, $0, now: now) }
            subscriber.pending.removeFirst(consumed)
        }
        if subscriber.mustClose { close(subscriber) }
    }

    /// Handles what `bytes` holds; returns how many bytes were used up.
    private func process(_ subscriber: Subscriber, _ bytes: UnsafeRawBufferPointer, now: UInt64) -> Int {
        var offset = 0
        if subscriber.state == .handshaking, let key = subscriber.key {
            switch HandshakeResponse.check(bytes, key: key) {
            case .needMoreBytes: return 0
            case .rejected(let failure):
                counters.handshakeRejected += 1
                log("connection \(subscriber.index): handshake rejected: \(failure)")
                subscriber.mustClose = true
                return bytes.count
            case .accepted(let headBytes):
                offset = headBytes
                subscriber.state = .open
                if options.socketIO {
                    subscriber.awaitingSocketIOConnect = true
                    break
                }
                handshakeNanos.append(now - subscriber.startNanos)
                counters.handshakes += 1
                inFlight -= 1
                openCount += 1
            }
        }
        do {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            return try offset + subscriber.decoder.decode(rest) { event in handle(event, subscriber, now: now) }
        } catch {
            counters.frameErrors += 1
            log("connection \(subscriber.index): bad frame: \(error)")
            subscriber.mustClose = true
            return bytes.count
        }
    }

    private func handle(_ event: FrameDecoder.Event, _ subscriber: Subscriber, now: UInt64) {
        switch event {
        case .text(let payload):
            if options.socketIO { return socketIOText(payload, subscriber, now: now) }
            verify(payload, subscriber, now: now)
        case .binary:
            counters.binaryMessages += 1
        case .ping(let payload):
            counters.pings += 1
            // RFC 6455 §5.5.2: answer with a pong carrying the same application data.
            sendMasked(opcode: 0xA, payload, to: subscriber)
        case .pong: break
        case .close(let code):
            counters.closedByServer += 1
            log("connection \(subscriber.index): server closed with \(code.map(String.init) ?? "no code")")
            // §5.5.1: echo the status code, then close.
            var echo: [UInt8] = []
            if let code { echo = [UInt8(code >> 8), UInt8(code & 0xFF)] }
            echo.withUnsafeBytes { sendMasked(opcode: 0x8, $0, to: subscriber) }
            subscriber.mustClose = true
        }
    }

    static let socketIOMessagePrefix = Array(#"42["message","#.utf8)

    /// Engine.IO/Socket.IO text: the open packet (answered with CONNECT), CONNECT's reply
    /// (the subscriber is open from then on), pings, and `message` events carrying a body.
    private func socketIOText(_ payload: UnsafeRawBufferPointer, _ subscriber: Subscriber, now: UInt64) {
        let prefix = Self.socketIOMessagePrefix
        if payload.count > prefix.count + 1, payload.starts(with: prefix), payload[payload.count - 1] == UInt8(ascii: "]") {
            return verify(UnsafeRawBufferPointer(rebasing: payload[prefix.count..<(payload.count - 1)]), subscriber, now: now)
        }
        if payload.elementsEqual("2".utf8) { return Array("3".utf8).withUnsafeBytes { sendMasked(opcode: 0x1, $0, to: subscriber) } }
        if payload.first == UInt8(ascii: "0") { return Array("40".utf8).withUnsafeBytes { sendMasked(opcode: 0x1, $0, to: subscriber) } }
        if payload.starts(with: "40{".utf8), subscriber.awaitingSocketIOConnect {
            subscriber.awaitingSocketIOConnect = false
            handshakeNanos.append(now - subscriber.startNanos)
            counters.handshakes += 1
            inFlight -= 1
            openCount += 1
            return
        }
        counters.payloadErrors += 1
        log("connection \(subscriber.index): unexpected Socket.IO packet \(String(decoding: payload.prefix(60), as: UTF8.self))")
    }

    /// The payload must be, byte for byte, the body published for its seq, and arrive after
    /// every earlier seq on this connection.
    private func verify(_ payload: UnsafeRawBufferPointer, _ subscriber: Subscriber, now: UInt64) {
        guard let seq = PublishedMessage.seq(of: payload), seq < bodies.count,
              bodies[seq].count == payload.count,
              bodies[seq].withUnsafeBytes({ memcmp($0.baseAddress!, payload.baseAddress!, payload.count) == 0 }) else {
            counters.payloadErrors += 1
            log("connection \(subscriber.index): unexpected payload \(String(decoding: payload.prefix(60), as: UTF8.self))")
            return
        }
        if seq < subscriber.nextSeq {
            counters.orderErrors += 1
            return
        }
        if seq > subscriber.nextSeq { counters.gaps += 1 }
        subscriber.nextSeq = seq + 1
        counters.received += 1
        receipts[seq] += 1
        lastReceipt[seq] = max(lastReceipt[seq], now)
        lastReceiptNanos = now
        latencies.append(now &- sendTimes[seq])
    }

    /// A client frame: FIN, `opcode`, MASK=1 with a fresh key (RFC 6455 §5.3); control
    /// frames only, so the payload is at most 125 bytes.
    private func sendMasked(opcode: UInt8, _ payload: UnsafeRawBufferPointer, to subscriber: Subscriber) {
        let mask = withUnsafeBytes(of: UInt32(truncatingIfNeeded: nextRandom())) { Array($0) }
        var frame: [UInt8] = [0x80 | opcode, 0x80 | UInt8(min(payload.count, 125))] + mask
        for (index, byte) in payload.prefix(125).enumerated() { frame.append(byte ^ mask[index & 3]) }
        guard case .transferred(frame.count) = frame.withUnsafeBytes({ Socket.write(subscriber.fd, $0) }) else {
            counters.controlWriteFailures += 1
            return
        }
    }

    func close(_ subscriber: Subscriber) {
        switch subscriber.state {
        case .notStarted, .connecting, .handshaking: inFlight -= 1
        case .open where subscriber.awaitingSocketIOConnect: inFlight -= 1
        case .open: openCount -= 1
        case .closed: return
        }
        if subscriber.fd >= 0 {
            poller.remove(subscriber.fd)
            Glibc.close(subscriber.fd)
            subscriber.fd = -1
        }
        subscriber.state = .closed
        subscriber.pending = []
    }
}
