import Glibc

/// A token bucket that holds step 5's reads to `--max-read-bytes-per-second` (DESIGN §1.7).
///
/// Tokens are bytes. The bucket refills at `bytesPerSecond` and holds at most one chunk, so
/// a pause in reading never builds up a burst above the cap. It starts empty: a 1 MB file
/// at 1 MB/s takes one second, not one second minus a free first chunk.
struct ReadRateLimiter {
    /// The longest single wait, 50 ms, so a cancel is noticed within that (DESIGN §1.2 asks
    /// for 100 ms).
    static let maxWaitSlice: Duration = .milliseconds(50)

    let bytesPerSecond: Int
    let capacityBytes: Int
    private var tokens: Double = 0
    private var lastRefill: ContinuousClock.Instant
    private let clock = ContinuousClock()

    init(bytesPerSecond: Int, capacityBytes: Int) {
        self.bytesPerSecond = bytesPerSecond
        self.capacityBytes = capacityBytes
        lastRefill = clock.now
    }

    /// Blocks until `count` bytes may be read, checking `isCancelled` at least every 50 ms.
    ///
    /// Waiting is this type's purpose: the operator asked that loading leave the disk to
    /// its neighbours, so the load thread sleeps rather than reads.
    mutating func waitForTokens(_ count: Int, isCancelled: () -> Bool) throws(ModelLoadError) {
        let needed = Double(min(count, capacityBytes))
        while true {
            refill()
            if tokens >= needed {
                tokens -= needed
                return
            }
            if isCancelled() { throw .cancelled }
            let missingSeconds = (needed - tokens) / Double(bytesPerSecond)
            let slice = min(Duration.seconds(missingSeconds), Self.maxWaitSlice)
            let (seconds, attoseconds) = slice.components
            var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            nanosleep(&request, nil)  // the read-rate cap itself: waiting for tokens, in slices of at most 50 ms
        }
    }

    private mutating func refill() {
        let now = clock.now
        let elapsed = lastRefill.duration(to: now)
        lastRefill = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        tokens = min(Double(capacityBytes), tokens + seconds * Double(bytesPerSecond))
    }
}
