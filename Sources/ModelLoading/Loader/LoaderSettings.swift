/// The load policy limits of DESIGN §1.2 (`--max-concurrent-loads`, `--load-stall-timeout`,
/// `--load-retries`).
public struct LoaderSettings: Sendable, Equatable {
    /// Loads that run at once; the rest wait `queued`, first come first served. Default 1.
    public var maxConcurrentLoads: Int
    /// A running load with no step change and no byte report for this long fails with
    /// `load_stalled`. Default 60 s.
    public var loadStallTimeout: Duration
    /// How many times a failed load (a stall counts as a failure, a cancel does not) is
    /// retried before it is reported failed. Each retry is a new attempt from step 1.
    /// Default 0.
    public var loadRetries: Int

    /// Settings with DESIGN's defaults; `maxConcurrentLoads` below 1 counts as 1 and
    /// negative `loadRetries` as 0.
    public init(maxConcurrentLoads: Int = 1, loadStallTimeout: Duration = .seconds(60), loadRetries: Int = 0) {
        self.maxConcurrentLoads = max(maxConcurrentLoads, 1)
        self.loadStallTimeout = loadStallTimeout
        self.loadRetries = max(loadRetries, 0)
    }
}
