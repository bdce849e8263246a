/// The clocks and counters of one running load attempt: step timings, byte counts and rate,
/// the throttle, the stall watch and the monotonic progress.
///
/// A plain value kept inside the loader's registry lock; every method takes `now` so that
/// tests drive it with chosen instants.
struct AttemptProgress {
    typealias Instant = ContinuousClock.Instant

    /// Shortest gap between two published byte updates (DESIGN §1.3): 100 ms.
    static let byteUpdateInterval: Duration = .milliseconds(100)

    let estimator: LoadEstimator
    private(set) var step: LoadStep?
    private let attemptStartedAt: Instant
    private var stepStartedAt: Instant
    private var stepSeconds = [Double](repeating: 0, count: LoadStep.total)
    private var finishedSeconds = [Double?](repeating: nil, count: LoadStep.total)
    private var stepBytesLoaded: Int64 = 0
    private var stepBytesTotal: Int64 = 0
    /// How far the running compute step is (`workReported`), as a fraction.
    private var stepWorkFraction: Double?
    private var rate: ByteRateMeter
    /// The model's weights in bytes, once known (the weights files' sizes, or step 5's total).
    private(set) var weightBytes: Int64?
    /// The last instant the job showed life (step change or byte report).
    private(set) var lastProgressAt: Instant
    private var lastPublishedAt: Instant
    private var highestProgress: Double = 0

    init(estimator: LoadEstimator, weightBytes: Int64? = nil, now: Instant) {
        self.estimator = estimator
        self.weightBytes = weightBytes
        attemptStartedAt = now
        stepStartedAt = now
        lastProgressAt = now
        lastPublishedAt = now
        rate = ByteRateMeter(now: now)
    }

    /// Closes the running step's timing and opens `next`'s.
    mutating func stepStarted(_ next: LoadStep, now: Instant) {
        closeStep(now: now)
        step = next
        stepStartedAt = now
        stepBytesLoaded = 0
        stepBytesTotal = 0
        stepWorkFraction = nil
        rate = ByteRateMeter(now: now)
        lastProgressAt = now
        lastPublishedAt = now
    }

    /// Records the size of the model's weights, learnt before they are read.
    mutating func weightsSized(_ bytes: Int64) {
        if bytes > 0 { weightBytes = bytes }
    }

    /// Records that the running compute step has done `done` of `total` units of work; it
    /// shows life to the stall watch.
    mutating func workReported(done: Int64, total: Int64, now: Instant) {
        guard total > 0 else { return }
        stepWorkFraction = Double(min(max(done, 0), total)) / Double(total)
        lastProgressAt = now
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
        rate.record(bytes: stepBytesLoaded, now: now)
        // What the CPU steps scale with: step 5 reads exactly the weights; a hub model's
        // download at step 3 (whose folder held no weights to size before step 1) fetches the
        // weights missing from the cache, the best size known until step 5.
        if stepBytesTotal > 0, step == .loadWeights || (step == .checkCache && weightBytes == nil) {
            weightBytes = stepBytesTotal
        }
        guard now - lastPublishedAt >= Self.byteUpdateInterval else { return false }
        lastPublishedAt = now
        return true
    }

    /// Overall progress and ETA at `now`; progress is clamped so it never goes back.
    mutating func estimate(now: Instant) -> (progress: Double, etaSeconds: Int?) {
        guard let step else { return (highestProgress, nil) }
        let position = LoadEstimator.Position(
            step: step, stepElapsed: (now - stepStartedAt).seconds, attemptElapsed: (now - attemptStartedAt).seconds,
            transfer: stepBytesTotal > 0
                ? .init(bytesDone: stepBytesLoaded, bytesTotal: stepBytesTotal, bytesPerSecond: rate.bytesPerSecond)
                : nil,
            weightBytes: weightBytes, finishedSeconds: finishedSeconds, workFraction: stepWorkFraction)
        let remaining = estimator.remainingSeconds(position)
        // Until an I/O step has measured its rate, its length is a guess (a capped or slow
        // read takes far longer than the machine's usual rate says): the bar waits for the
        // measurement rather than jump ahead on the guess and then stand still. Without a
        // history of its own the model's read is a guess in steps 1-4 too, except for a
        // download at step 3 whose rate is measured: it is most of such a load, and its bar
        // would otherwise stand at 0 until the download is over.
        let measured = position.transfer?.bytesPerSecond != nil
        let guessing = (LoadEstimator.isIOStep(step) && !measured)
            || (!estimator.hasHistory && step.number < LoadStep.loadWeights.number && !(step == .checkCache && measured))
        if !guessing {
            highestProgress = max(highestProgress, estimator.progress(position, remaining: remaining))
        }
        return (highestProgress, remaining.map(Self.wholeSeconds))
    }

    /// `eta_seconds` is whole seconds: the nearest one, so that the rounding alone is off by
    /// at most half a second (rounding up was off by up to a whole one).
    static func wholeSeconds(_ seconds: Double) -> Int {
        Int(max(seconds, 0).rounded(.toNearestOrAwayFromZero))
    }

    /// Closes the last step and returns every step's duration.
    mutating func finish(now: Instant) -> LoadTimings {
        closeStep(now: now)
        step = nil
        return LoadTimings(stepSeconds: stepSeconds)
    }

    private mutating func closeStep(now: Instant) {
        guard let step else { return }
        let duration = (now - stepStartedAt).seconds
        stepSeconds[step.number - 1] = duration
        finishedSeconds[step.number - 1] = duration
    }
}
