/// How long each step of one successful load attempt took, for metrics and the ETA history.
public struct LoadTimings: Sendable, Equatable {
    /// Seconds per step, indexed by `LoadStep.number - 1` (always `LoadStep.total` entries).
    public var stepSeconds: [Double]

    /// Timings from nine per-step durations, in step order.
    public init(stepSeconds: [Double]) {
        precondition(stepSeconds.count == LoadStep.total, "one duration per step")
        self.stepSeconds = stepSeconds
    }

    /// Seconds spent in `step`.
    public func seconds(of step: LoadStep) -> Double {
        stepSeconds[step.number - 1]
    }

    /// Seconds from the start of step 1 to the end of step 9.
    public var totalSeconds: Double {
        stepSeconds.reduce(0, +)
    }
}
