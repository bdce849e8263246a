import WSLoadCore

/// The phases of a run, each bounded by the run's deadline and by `stallSeconds` without
/// progress.
extension LoadRun {
    /// Opens every subscriber (at most `inFlight` handshakes at a time); returns the
    /// seconds from the first connect to the last handshake's end.
    func connectAll() -> Double {
        let start = monotonicNanos()
        var lastProgress = start
        var settled = 0
        startMoreConnections()
        while !(nextToStart == subscribers.count && inFlight == 0) && !timedOut {
            pollOnce(timeoutMillis: 20)
            startMoreConnections()
            let now = monotonicNanos()
            let done = counters.handshakes + counters.handshakeFailures
            if done != settled {
                settled = done
                lastProgress = now
            } else if now - lastProgress > stallNanos {
                log("connect: no progress for \(options.stallSeconds) s")
                timedOut = true
            }
        }
        return Double(monotonicNanos() - start) / 1e9
    }

    /// Keeps the loop running (pings get answered) for `millis`.
    func settle(millis: Int) {
        let end = monotonicNanos() + UInt64(millis) * 1_000_000
        while monotonicNanos() < end && !timedOut { pollOnce(timeoutMillis: 10) }
    }

    /// Publishes `count` messages closed-loop and waits until every open subscriber has
    /// each. Returns the seconds from the first POST to the last receipt (0 if nothing came).
    func fanout(count: Int) -> Double {
        guard count > 0 else { return 0 }
        let firstSeq = bodies.count
        let target = firstSeq + count
        runUntil { [self] in
            if publisher.isIdle && bodies.count < target { publishNext() }
            return bodies.count == target && publisher.isIdle
                && counters.received >= expectedRecipients * target
        }
        guard sendTimes.count > firstSeq, lastReceiptNanos > sendTimes[firstSeq] else { return 0 }
        return Double(lastReceiptNanos - sendTimes[firstSeq]) / 1e9
    }

    /// Publishes `count` messages one at a time, each once every subscriber has the one
    /// before: the fan-out time of one event (send → the last subscriber's receipt).
    func paced(count: Int) -> LatencySamples {
        var fanoutTimes = LatencySamples(capacity: count)
        for _ in 0..<count where !timedOut && publisher.state != .failed {
            let seq = bodies.count
            let complete = runUntil { [self] in
                if publisher.isIdle && bodies.count == seq { publishNext() }
                return bodies.count > seq && publisher.isIdle && receipts[seq] >= expectedRecipients
            }
            if complete { fanoutTimes.append(lastReceipt[seq] - sendTimes[seq]) }
        }
        return fanoutTimes
    }

    /// Waits until the publisher's connection is up (true) or has failed (false).
    func awaitPublisher() -> Bool {
        runUntil { [self] in publisher.state != .connecting } && publisher.state == .open
    }

    /// Publishes `count` messages open-loop, `rate` per second on a fixed schedule whatever
    /// the server does (pipelined behind unanswered POSTs; one that leaves late still counts
    /// from its due time), and waits until every open subscriber has each.
    func openLoop(rate: Double, count: Int) -> OpenLoopResult {
        let firstSeq = bodies.count, receivedBefore = counters.received
        latencies = LatencySamples(capacity: count * expectedRecipients)
        let schedule = OpenLoopSchedule(start: monotonicNanos(), rate: rate, count: count)
        var lateness = LatencySamples(capacity: count)
        publishDue = { [self] in
            let now = monotonicNanos()
            while publisher.state == .open && bodies.count - firstSeq < schedule.dueCount(at: now) {
                let due = schedule.dueTime(bodies.count - firstSeq)
                lateness.append(now - due)
                publishNext(dueAt: due)
            }
        }
        defer { publishDue = nil }
        let complete = runUntil(waitMillis: { [self] in
            schedule.waitMillis(next: bodies.count - firstSeq, now: monotonicNanos()) ?? 20
        }) { [self] in
            publishDue?()
            return bodies.count - firstSeq == count && publisher.isIdle
                && counters.received - receivedBefore >= expectedRecipients * count
        }
        let received = counters.received - receivedBefore
        let seconds = lastReceiptNanos > schedule.start && received > 0 ? Double(lastReceiptNanos - schedule.start) / 1e9 : 0
        return OpenLoopResult(rate: rate, published: bodies.count - firstSeq, received: received, complete: complete,
                              seconds: seconds, latencies: latencies, lateness: lateness)
    }

    /// Runs the loop until `isDone` holds (true), or the deadline passes, the publisher fails,
    /// or nothing happens for `stallSeconds` (false). Each wait lasts at most `waitMillis()`.
    @discardableResult
    private func runUntil(waitMillis: () -> Int32 = { 20 }, _ isDone: () -> Bool) -> Bool {
        var lastProgress = monotonicNanos()
        var seen = (0, 0)
        while !isDone() {
            if timedOut { return false }
            if publisher.state == .failed { return false }
            pollOnce(timeoutMillis: waitMillis())
            let now = monotonicNanos()
            let progress = (counters.received, publisher.roundTrips.count + bodies.count)
            if progress != seen {
                seen = progress
                lastProgress = now
            } else if now - lastProgress > stallNanos {
                log("publish: no progress for \(options.stallSeconds) s")
                return false
            }
        }
        return true
    }

    private var stallNanos: UInt64 { UInt64(options.stallSeconds) * 1_000_000_000 }
}

/// What one open-loop phase measured.
struct OpenLoopResult {
    let rate: Double
    let published: Int
    /// Deliveries received in the phase.
    let received: Int
    /// Whether every subscriber got every message (false: stalled, timed out or failed).
    let complete: Bool
    /// From the first due time to the last receipt.
    let seconds: Double
    /// Receipt − due time, per delivery.
    var latencies: LatencySamples
    /// How late the generator handed each POST to the socket (its own delay, not the server's).
    var lateness: LatencySamples
}
