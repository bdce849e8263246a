/// Turns "which step, how far inside it" into the overall `progress` and `eta_seconds` of
/// DESIGN §1.3.
///
/// Weights: each step weighs its expected duration. With history (the per-step seconds of
/// the model's last successful load) those are real seconds, so the bar moves evenly in
/// time. Without history the fixed `defaultWeights` apply: step 5 (reading weights) 60 %,
/// step 7 (device layout) 15 %, step 8 7 %, steps 2 and 9 5 % each, step 4 3 %, steps 1
/// and 3 2 % each, step 6 1 %.
///
/// ETA: remaining expected seconds. With history: the rest of the current step (by its
/// byte fraction, or by time already spent in it) plus every later step. Inside a step that
/// reports bytes, once a read rate is measured, the current step's rest is remaining bytes
/// divided by that rate. Without history there is no basis until step 5 has a measured rate;
/// from then on the later steps are extrapolated from step 5's (expected or measured)
/// duration through the default weights.
struct LoadEstimator: Sendable {
    /// Relative weights of steps 1...9 when the model has no history. Sum 1.
    static let defaultWeights: [Double] = [0.02, 0.05, 0.02, 0.03, 0.60, 0.01, 0.15, 0.07, 0.05]

    /// Expected seconds per step from history, or `nil` to use `defaultWeights`.
    let historySeconds: [Double]?

    init(historySeconds: [Double]?) {
        // A history of all zeros (a load too fast to time) gives no weights to divide by.
        if let historySeconds, historySeconds.count == LoadStep.total, historySeconds.reduce(0, +) > 0 {
            self.historySeconds = historySeconds.map { max($0, 0) }
        } else {
            self.historySeconds = nil
        }
    }

    /// Whether ETAs come from real durations of an earlier load.
    var hasHistory: Bool { historySeconds != nil }

    private var weights: [Double] { historySeconds ?? Self.defaultWeights }

    /// Overall fraction when `step` is `fraction` (0...1) done.
    func progress(at step: LoadStep, fraction: Double) -> Double {
        let weights = weights
        let index = step.number - 1
        let done = weights[..<index].reduce(0, +) + weights[index] * min(max(fraction, 0), 1)
        return min(max(done / weights.reduce(0, +), 0), 1)
    }

    /// Where a running step stands, for `remainingSeconds`.
    struct StepPosition {
        var step: LoadStep
        /// Byte fraction of the step, when it reports bytes.
        var fraction: Double?
        /// Seconds since the step began.
        var elapsedSeconds: Double
        /// Bytes left to read in the step, when it reports bytes.
        var bytesRemaining: Int64?
        /// Bytes per second measured in the step so far, once measurable.
        var bytesPerSecond: Double?
        /// How long step 5 took, once it finished in this attempt.
        var measuredWeightsSeconds: Double?
    }

    /// Expected seconds until the load completes, or `nil` without a basis.
    func remainingSeconds(_ position: StepPosition) -> Double? {
        let index = position.step.number - 1
        let current: Double
        let later: Double
        if let history = historySeconds {
            later = history[(index + 1)...].reduce(0, +)
            current = currentRemaining(position, expected: history[index])
        } else {
            guard let secondsPerWeight = secondsPerWeight(position) else { return nil }
            let weights = Self.defaultWeights
            later = weights[(index + 1)...].reduce(0, +) * secondsPerWeight
            current = currentRemaining(position, expected: weights[index] * secondsPerWeight)
        }
        return max(current, 0) + later
    }

    /// The rest of the running step: bytes over rate when measured, else the expected
    /// duration scaled by the byte fraction, else what is left of it in time.
    private func currentRemaining(_ position: StepPosition, expected: Double) -> Double {
        if let rate = position.bytesPerSecond, rate > 0, let remaining = position.bytesRemaining {
            return Double(max(remaining, 0)) / rate
        }
        if let fraction = position.fraction {
            return expected * (1 - min(max(fraction, 0), 1))
        }
        return max(expected - position.elapsedSeconds, 0)
    }

    /// Seconds per unit of default weight, from step 5's measured duration or read rate.
    private func secondsPerWeight(_ position: StepPosition) -> Double? {
        let weightsWeight = Self.defaultWeights[LoadStep.loadWeights.number - 1]
        if let measured = position.measuredWeightsSeconds, measured > 0 {
            return measured / weightsWeight
        }
        guard position.step == .loadWeights, let rate = position.bytesPerSecond, rate > 0,
              let fraction = position.fraction, fraction > 0, let remaining = position.bytesRemaining
        else { return nil }
        let expectedStepSeconds = position.elapsedSeconds + Double(max(remaining, 0)) / rate
        return expectedStepSeconds / weightsWeight
    }
}
