/// Byte progress of a pull: what step 3's events and `modeld pull` show.
public struct HubProgress: Sendable, Equatable {
    /// The repository path of the file being fetched (empty before the first and after the last).
    public var file: String
    /// Bytes of the missing files already in the cache, including resumed partial blobs.
    /// Never decreases during one pull.
    public var bytesLoaded: Int64
    /// Bytes of all files missing from the cache when the pull started.
    public var bytesTotal: Int64
    /// Measured transfer rate, smoothed (0 until measured).
    public var bytesPerSecond: Double

    /// Creates a progress value.
    public init(file: String, bytesLoaded: Int64, bytesTotal: Int64, bytesPerSecond: Double) {
        self.file = file
        self.bytesLoaded = bytesLoaded
        self.bytesTotal = bytesTotal
        self.bytesPerSecond = bytesPerSecond
    }

    /// Seconds left at the measured rate, or nil before a rate is known.
    public var etaSeconds: Double? {
        guard bytesPerSecond > 0 else { return bytesLoaded >= bytesTotal ? 0 : nil }
        return Double(max(0, bytesTotal - bytesLoaded)) / bytesPerSecond
    }

    /// Fraction done, 0...1 (1 when there is nothing to fetch).
    public var fraction: Double {
        bytesTotal > 0 ? min(1, Double(bytesLoaded) / Double(bytesTotal)) : 1
    }
}

/// A smoothed byte rate: an exponentially weighted moving average of per-interval rates,
/// sampled at most every `interval`, with a time constant of `timeConstant` (both in seconds).
/// A pure value fed with times, so tests need no clock.
public struct HubRateMeter: Sendable, Equatable {
    /// Smoothed bytes per second (0 until the first interval closes).
    public private(set) var bytesPerSecond: Double = 0
    private let interval: Double
    private let timeConstant: Double
    private var windowStart: Double?
    private var windowBytes: Int64 = 0

    /// A meter with the given sampling interval and smoothing time constant.
    public init(interval: Double = 0.25, timeConstant: Double = 2) {
        self.interval = interval
        self.timeConstant = timeConstant
    }

    /// Adds `bytes` received by time `now` (seconds on any monotonic clock).
    public mutating func record(bytes: Int64, now: Double) {
        guard let start = windowStart else {
            windowStart = now
            windowBytes = bytes
            return
        }
        windowBytes += bytes
        let elapsed = now - start
        guard elapsed >= interval else { return }
        let rate = Double(windowBytes) / elapsed
        if bytesPerSecond == 0 {
            bytesPerSecond = rate
        } else {
            let weight = 1 - exp(-elapsed / timeConstant)
            bytesPerSecond += weight * (rate - bytesPerSecond)
        }
        windowStart = now
        windowBytes = 0
    }
}

#if canImport(Glibc)
import Glibc
#endif
