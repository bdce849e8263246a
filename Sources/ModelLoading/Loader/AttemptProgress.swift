/// The clocks and counters of one running load attempt: step timings, byte counts, the
/// throttle, the stall watch and the monotonic progress.
///
/// A plain value kept inside the loader's registry lock; every method takes `now` so that
/// tests drive it with chosen instants.
struct AttemptProgress {
    typealias Instant = ContinuousClock.Instant

    /// Shortest gap between two published byte updates (DESIGN §1.3): 100 ms.
    static let byteUpdateInterval: Duration = .milliseconds(100)

    let estimator: LoadEstimator
    private(set) var step: LoadStep?
    private var stepStartedAt: Instant
    private var stepSeconds = [Double](repeating: 0, count: LoadStep.total)
    private var stepBytesLoaded: Int64 = 0
    private var stepBytesTotal: Int64 = 0
    private var measuredWeightsSeconds: Double?
    /// The last instant the job showed life (step change or byte report).
    private(set) var lastProgressAt: Instant
    private var lastPublishedAt: Instant
    private var highestProgress: Double = 0

    init(estimator: LoadEstimator, now: Instant) {
        self.estimator = estimator
        stepStartedAt = now
        lastProgressAt = now
        lastPublishedAt = now
    }

    /// Closes the running step's timing and opens `next`'s.
    mutating func stepStarted(_ next: LoadStep, now: Instant) {
        closeStep(now: now)
        step = next
        stepStartedAt = now
        stepBytesLoaded = 0
        stepBytesTotal = 0
        lastProgressAt = now
        lastPublishedAt = now
    }

    /// Records a byte report; true when it should be published (100 ms since the last one).
    mutating func bytesReported(loaded: Int64, total: Int64, now: Instant) -> Bool {
        // A job may re-report the same count; only new bytes count as progress for the
        // stall watch, but a first report of the total does too.
        if loaded != stepBytesLoaded || total != stepBytesTotal {
            lastProgressAt = now
        }
        stepBytesLoaded = max(loaded, 0)
        stepBytesTotal = max(total, 0)
        guard now - lastPublishedAt >= Self.byteUpdateInterval else { return false }
        lastPublishedAt = now
        return true
    }

    /// Overall progress and ETA at `now`; progress is clamped so it never goes back.
    mutating func estimate(now: Instant) -> (progress: Double, etaSeconds: Int?) {
        guard let step else { return (highestProgress, nil) }
        let elapsed = seconds(now - stepStartedAt)
        let fraction: Double? = stepBytesTotal > 0
            ? Double(min(stepBytesLoaded, stepBytesTotal)) / Double(stepBytesTotal) : nil
        var rate: Double?
        if stepBytesLoaded > 0, elapsed > 0 {
            rate = Double(stepBytesLoaded) / elapsed
        }
        highestProgress = max(highestProgress, estimator.progress(at: step, fraction: fraction ?? 0))
        let remaining = estimator.remainingSeconds(.init(
            step: step, fraction: fraction, elapsedSeconds: elapsed,
            bytesRemaining: fraction == nil ? nil : stepBytesTotal - stepBytesLoaded,
            bytesPerSecond: rate, measuredWeightsSeconds: measuredWeightsSeconds))
        return (highestProgress, remaining.map { Int($0.rounded(.up)) })
    }

    /// Closes the last step and returns every step's duration.
    mutating func finish(now: Instant) -> LoadTimings {
        closeStep(now: now)
        step = nil
        return LoadTimings(stepSeconds: stepSeconds)
    }

    private mutating func closeStep(now: Instant) {
        guard let step else { return }
        let duration = seconds(now - stepStartedAt)
        stepSeconds[step.number - 1] = duration
        if step == .loadWeights { measuredWeightsSeconds = duration }
    }

    private func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
