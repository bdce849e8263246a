/// Turns "which step, how far inside it, how long so far" into the overall `progress` and
/// `eta_seconds` of DESIGN §1.3.
///
/// Expected duration of each step, best basis first:
/// 1. the model's own last load (`ETAHistory`), when it has one;
/// 2. else this machine's costs learnt from the loads of other models (`StepCostProfile`:
///    fixed seconds for steps 1–4, seconds per weight byte for steps 5–9) times the size of
///    this model's weights;
/// 3. else `StepCostProfile.builtIn`, the same costs measured where this was written.
///
/// ETA: the rest of the running step plus every later step. A step that transfers bytes (an
/// I/O step: step 5's read, a download) is estimated from its live byte rate — remaining bytes
/// over the rate of the last seconds (`ByteRateMeter`) — as soon as one is measured, never
/// from its history: the rate of this read is what matters. A CPU step that reports its work
/// (steps 7 and 8, per tensor and per layer) is projected from its own pace once 5 % is done;
/// otherwise it takes its expected duration. Later CPU steps are stretched by how much slower
/// than expected this attempt's CPU steps ran (finished ones, the running one's projection, or
/// its overrun), so a busier machine than the history's is noticed within the load.
///
/// Progress: the elapsed fraction of the expected whole, `elapsed / (elapsed + remaining)`,
/// so the bar moves evenly in time when the ETA is right. Before any basis exists (no history
/// and the weights' size still unknown) the fixed `defaultWeights` place the bar instead.
/// `AttemptProgress` keeps the bar from moving backwards when an estimate grows.
struct LoadEstimator: Sendable {
    /// Relative weights of steps 1...9 when nothing is known. Sum 1.
    static let defaultWeights: [Double] = [0.02, 0.05, 0.02, 0.03, 0.60, 0.01, 0.15, 0.07, 0.05]

    /// How much slower or faster than expected the CPU steps may be judged to run.
    static let speedFactorRange: ClosedRange<Double> = 0.33...3

    /// Expected seconds per step from the model's own last load, if usable.
    let historySeconds: [Double]?
    /// The size of the model's weights at its last load, if recorded.
    let historyWeightBytes: Int64?
    /// Per-step costs of this machine for models without a history.
    let profile: StepCostProfile

    init(history: ETAHistory.Entry?, profile: StepCostProfile?) {
        // A history of all zeros (a load too fast to time) gives no durations to scale.
        if let seconds = history?.stepSeconds, seconds.count == LoadStep.total, seconds.reduce(0, +) > 0 {
            historySeconds = seconds.map { max($0, 0) }
            historyWeightBytes = history?.weightBytes
        } else {
            historySeconds = nil
            historyWeightBytes = nil
        }
        self.profile = profile ?? .builtIn
    }

    /// An estimator from the model's own durations only (tests, and the shape of old callers).
    init(historySeconds: [Double]?) {
        self.init(history: historySeconds.map { ETAHistory.Entry(stepSeconds: $0, weightBytes: nil) }, profile: nil)
    }

    /// Whether ETAs come from real durations of an earlier load of the same model.
    var hasHistory: Bool { historySeconds != nil }

    /// The bytes of an I/O step: done, total and the measured rate (`nil` until measured).
    struct Transfer: Sendable, Equatable {
        var bytesDone: Int64
        var bytesTotal: Int64
        var bytesPerSecond: Double?

        var fraction: Double {
            bytesTotal > 0 ? Double(min(max(bytesDone, 0), bytesTotal)) / Double(bytesTotal) : 0
        }
    }

    /// Where a running attempt stands.
    struct Position: Sendable {
        var step: LoadStep
        /// Seconds since the step began.
        var stepElapsed: Double
        /// Seconds since the attempt began (all finished steps plus `stepElapsed`).
        var attemptElapsed: Double
        /// The running step's bytes, when it transfers any.
        var transfer: Transfer?
        /// The model's weights in bytes, once known.
        var weightBytes: Int64?
        /// Actual seconds of the steps finished in this attempt, indexed by step number − 1
        /// (`nil` for steps not finished).
        var finishedSeconds: [Double?] = Array(repeating: nil, count: LoadStep.total)
        /// How far the running compute step says it is (0...1), when it reports work.
        var workFraction: Double?
    }

    /// The running CPU step's duration projected from its own pace (elapsed over the work
    /// fraction), once it has done enough work to judge: 5 % and 0.2 s.
    static func projectedSeconds(_ position: Position) -> Double? {
        guard isCPUStep(position.step), let fraction = position.workFraction, fraction >= 0.05,
              position.stepElapsed >= 0.2 else { return nil }
        return position.stepElapsed / fraction
    }

    /// Expected seconds of `step` for weights of `weightBytes`, or `nil` without a basis.
    func expectedSeconds(of step: LoadStep, weightBytes: Int64?) -> Double? {
        if let historySeconds { return historySeconds[step.number - 1] }
        if StepCostProfile.scalesWithWeights(step) {
            guard let weightBytes, weightBytes > 0 else { return nil }
            return profile.seconds(of: step, weightBytes: weightBytes)
        }
        return profile.seconds(of: step, weightBytes: 0)
    }

    /// Expected seconds until the load completes, or `nil` without a basis.
    func remainingSeconds(_ position: Position) -> Double? {
        let weightBytes = position.weightBytes ?? historyWeightBytes
        var expected: [Double] = []
        for step in LoadStep.allCases {
            guard let seconds = expectedSeconds(of: step, weightBytes: weightBytes) else { return nil }
            expected.append(seconds)
        }
        let index = position.step.number - 1
        let speed = speedFactor(position, expected: expected)
        let current: Double
        if let transfer = position.transfer, transfer.bytesTotal > 0 {
            if let rate = transfer.bytesPerSecond, rate > 0 {
                current = Double(max(transfer.bytesTotal - transfer.bytesDone, 0)) / rate
            } else {
                current = expected[index] * (1 - transfer.fraction)
            }
        } else if let projected = Self.projectedSeconds(position) {
            current = max(projected - position.stepElapsed, 0)
        } else if Self.isCPUStep(position.step) {
            current = max(expected[index] * speed - position.stepElapsed, 0)
        } else {
            current = max(expected[index] - position.stepElapsed, 0)
        }
        var later = 0.0
        for step in LoadStep.allCases[(index + 1)...] {
            later += expected[step.number - 1] * (Self.isCPUStep(step) ? speed : 1)
        }
        return current + later
    }

    /// Overall fraction done: elapsed over elapsed plus `remaining`, or by the default
    /// weights when there is no estimate.
    func progress(_ position: Position, remaining: Double?) -> Double {
        if let remaining {
            let total = position.attemptElapsed + max(remaining, 0)
            return total > 0 ? min(max(position.attemptElapsed / total, 0), 1) : 0
        }
        let index = position.step.number - 1
        let weights = Self.defaultWeights
        let fraction = position.transfer?.fraction ?? 0
        return min(max(weights[..<index].reduce(0, +) + weights[index] * fraction, 0), 1)
    }

    /// Steps that transfer bytes and are estimated from their live rate: step 3 (where a
    /// download belongs) and step 5 (the read).
    static func isIOStep(_ step: LoadStep) -> Bool {
        step == .checkCache || step == .loadWeights
    }

    /// Steps 6–9: compute on the weights, whose speed follows the machine's load, not a rate.
    static func isCPUStep(_ step: LoadStep) -> Bool {
        step.number > LoadStep.loadWeights.number
    }

    /// Actual over expected seconds of this attempt's CPU work so far: the finished CPU
    /// steps, and the running one once it has overrun its expectation. 1 before any evidence.
    private func speedFactor(_ position: Position, expected: [Double]) -> Double {
        var actual = 0.0
        var planned = 0.0
        for step in LoadStep.allCases where Self.isCPUStep(step) {
            let index = step.number - 1
            if let seconds = position.finishedSeconds[index] {
                actual += seconds
                planned += expected[index]
            }
        }
        var factor = planned > 0.05 ? actual / planned : 1
        let index = position.step.number - 1
        if let projected = Self.projectedSeconds(position), expected[index] > 0 {
            // The running step's own pace says how long it will take.
            factor = (actual + projected) / (planned + expected[index])
        } else if Self.isCPUStep(position.step), expected[index] > 0 {
            // The running step has taken at least this long: it is at least this much slower.
            factor = max(factor, (actual + position.stepElapsed) / (planned + expected[index]))
        }
        return min(max(factor, Self.speedFactorRange.lowerBound), Self.speedFactorRange.upperBound)
    }
}
