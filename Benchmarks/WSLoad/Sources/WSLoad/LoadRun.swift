import WSLoadCore

/// One run of the generator: the subscribers, the publisher, what was published, and the
/// measurements, all driven by one epoll loop on one thread.
///
/// Phases: connect (at most `inFlight` handshakes at a time) → settle (sample the server's
/// VmRSS) → fanout (closed-loop publishes) → paced (one event at a time). Every received
/// frame is checked; see `LoadRun+Subscribers.swift`.
final class LoadRun {
    let options: Options
    let poller = Poller()
    var subscribers: [Subscriber]
    var publisher = Publisher()
    var counters = Counters()
    /// One shared read buffer: 10,000 idle connections need no buffer of their own.
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
    let deadline: UInt64
    var timedOut = false
    private var rng: UInt64

    // Connection phase.
    var nextToStart = 0
    var inFlight = 0
    var openCount = 0
    var handshakeNanos = LatencySamples()

    // Publishing: per seq, the exact body, its send time, how many subscribers have it and
    // when the last of them got it.
    var bodies: [[UInt8]] = []
    var sendTimes: [UInt64] = []
    var receipts: [Int] = []
    var lastReceipt: [UInt64] = []
    var latencies = LatencySamples()
    /// Subscribers expected to receive each message (those open when publishing began).
    var expectedRecipients = 0
    var lastReceiptNanos: UInt64 = 0
    /// During an open-loop phase: sends the publishes that are due. Called between waits and
    /// every `Self.eventsPerScheduleCheck` events within one, so a long batch of deliveries
    /// does not hold a publish back.
    var publishDue: (() -> Void)?
    static let eventsPerScheduleCheck = 32

    init(options: Options) {
        self.options = options
        subscribers = (0..<options.connections).map(Subscriber.init(index:))
        deadline = monotonicNanos() + UInt64(options.timeoutSeconds) * 1_000_000_000
        rng = monotonicNanos() | 1
    }

    deinit {
        scratch.deallocate()
    }

    /// One loop iteration: wait up to `timeoutMillis`, then handle what is ready.
    func pollOnce(timeoutMillis: Int32) {
        var handled = 0
        poller.wait(timeoutMillis: timeoutMillis) { token, events in
            handled += 1
            if handled % Self.eventsPerScheduleCheck == 0, let publishDue { publishDue() }
            if token == Poller.publisherToken {
                publisherEvent(events)
            } else {
                subscriberEvent(subscribers[Int(token)], events)
            }
        }
        if monotonicNanos() > deadline { timedOut = true }
    }

    /// xorshift64*: masking keys and nonces need to be unpredictable to a proxy, not to an
    /// attacker (RFC 6455 §10.3), and this costs nothing per frame.
    func nextRandom() -> UInt64 {
        rng ^= rng >> 12
        rng ^= rng << 25
        rng ^= rng >> 27
        return rng &* 2_685_821_657_736_338_717
    }

    func log(_ message: @autoclosure () -> String) {
        if options.verbose { printError("ws-load: \(message())") }
    }
}

@available(*, unavailable)
extension LoadRun: Sendable {}
