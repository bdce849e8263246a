/// Latency samples in nanoseconds and their nearest-rank percentiles.
public struct LatencySamples: Sendable {
    public private(set) var nanos: [UInt64] = []
    private var isSorted = true

    public init(capacity: Int = 0) {
        nanos.reserveCapacity(capacity)
    }

    public var count: Int { nanos.count }

    public mutating func append(_ sample: UInt64) {
        if let last = nanos.last, sample < last { isSorted = false }
        nanos.append(sample)
    }

    /// The nearest-rank `percent` percentile in milliseconds (100 is the maximum), or nil
    /// without samples.
    public mutating func percentileMillis(_ percent: Double) -> Double? {
        guard !nanos.isEmpty else { return nil }
        if !isSorted {
            nanos.sort()
            isSorted = true
        }
        let rank = Int((percent / 100 * Double(nanos.count)).rounded(.up))
        return Double(nanos[min(max(rank, 1), nanos.count) - 1]) / 1e6
    }
}
