/// The byte rate of an I/O step over its last few seconds, so that a change of speed (a
/// throttled disk, a slower mirror) reaches the ETA within `window` instead of being diluted
/// by the whole step's average.
///
/// Samples are kept at most every `sampleInterval`; the rate is the bytes between the oldest
/// sample still inside the window and the newest one, over the time between them. Until the
/// samples span `minimumSpan` there is no rate (a first chunk alone says nothing about speed).
/// A plain value; callers pass `now` so tests drive it with chosen instants.
struct ByteRateMeter: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// How far back the rate looks: a new speed is the only one measured after this long.
    static let window: Duration = .seconds(2)
    /// Shortest gap between two kept samples.
    static let sampleInterval: Duration = .milliseconds(100)
    /// Shortest span of samples that yields a rate.
    static let minimumSpan: Duration = .milliseconds(300)

    /// Kept samples, at least `sampleInterval` apart, oldest first.
    private var samples: [(at: Instant, bytes: Int64)]
    /// The newest count, kept or not.
    private var latest: (at: Instant, bytes: Int64)

    /// Starts the measurement at `now` with `bytes` already done (0 for a fresh transfer, the
    /// size of a partial file for a resumed one).
    init(bytes: Int64 = 0, now: Instant) {
        latest = (now, bytes)
        samples = [latest]
    }

    /// Records that `bytes` are done at `now`.
    mutating func record(bytes: Int64, now: Instant) {
        if bytes < latest.bytes {
            // Counting restarted (a new file, a discarded download): measure afresh.
            self = ByteRateMeter(bytes: bytes, now: now)
            return
        }
        latest = (now, bytes)
        if let last = samples.last, now - last.at >= Self.sampleInterval {
            samples.append(latest)
        }
        // Keep one sample at or before the window's start, as the reference point.
        let start = now - Self.window
        while samples.count > 1, samples[1].at <= start {
            samples.removeFirst()
        }
    }

    /// Bytes per second over the window, or `nil` before `minimumSpan` of samples.
    var bytesPerSecond: Double? {
        guard let first = samples.first else { return nil }
        let span = latest.at - first.at
        guard span >= Self.minimumSpan else { return nil }
        return Double(latest.bytes - first.bytes) / span.seconds
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
