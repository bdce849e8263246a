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
            if publisher.state == .ready && bodies.count < target { publishNext() }
            return bodies.count == target && publisher.state == .ready
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
                if publisher.state == .ready && bodies.count == seq { publishNext() }
                return bodies.count > seq && publisher.state == .ready && receipts[seq] >= expectedRecipients
            }
            if complete { fanoutTimes.append(lastReceipt[seq] - sendTimes[seq]) }
        }
        return fanoutTimes
    }

    /// Runs the loop until `isDone` holds (true), or the deadline passes, the publisher fails,
    /// or nothing happens for `stallSeconds` (false).
    @discardableResult
    private func runUntil(_ isDone: () -> Bool) -> Bool {
        var lastProgress = monotonicNanos()
        var seen = (0, 0)
        while !isDone() {
            if timedOut { return false }
            if publisher.state == .failed { return false }
            pollOnce(timeoutMillis: 20)
            let now = monotonicNanos()
            let progress = (counters.received, publisher.roundTrips.count)
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
