/// What each load step costs on this machine, learnt from the loads of any model, so that a
/// model's first load can be estimated before it has a history of its own.
///
/// Steps 1–4 read small files (manifest, config, tokenizer, the weights' header) whose size
/// does not depend on the weights, so they cost fixed seconds. Steps 5–9 touch every weight:
/// they cost seconds per byte of the model's weights. Step 5 is I/O and is measured live
/// while it runs; its per-byte cost here only serves until the first rate is measured.
struct StepCostProfile: Sendable, Equatable {
    /// Seconds of steps 1–4 (indexes 0...3); the entries of steps 5–9 are unused (0).
    var fixedSeconds: [Double]
    /// Seconds per weight byte of steps 5–9 (indexes 4...8); the entries of steps 1–4 are
    /// unused (0).
    var secondsPerByte: [Double]

    /// Whether `step` costs seconds per weight byte (else fixed seconds).
    static func scalesWithWeights(_ step: LoadStep) -> Bool {
        step.number >= LoadStep.loadWeights.number
    }

    /// The profile used when this machine has never finished a load (an empty state dir):
    /// two quiet uncapped release-build loads of the generated 534 MB BERT model
    /// (`scripts/bench load --layers 8`) on the 2-CPU machine this was written on (step 5 with
    /// hashing 0.76–0.87 ns/B, step 7 0.5–0.7, step 8 0.64, step 9 0.05), rounded up a little.
    /// Another machine is slower or faster; its first finished load of any model replaces this.
    static let builtIn = StepCostProfile(
        fixedSeconds: [0.005, 0.06, 0.005, 0.005, 0, 0, 0, 0, 0],
        secondsPerByte: [0, 0, 0, 0, 0.9e-9, 0, 0.75e-9, 0.7e-9, 0.05e-9])

    /// The profile of the recorded loads in `entries` (model id → its last load), or `nil`
    /// when none of them recorded its weights' size. Fixed steps take the mean of the
    /// models' seconds; per-byte steps the total seconds over the total bytes, so large
    /// models (whose costs are least distorted by fixed overheads) count most.
    init?(learningFrom entries: some Collection<ETAHistory.Entry>) {
        let sized = entries.filter { ($0.weightBytes ?? 0) > 0 }
        guard !sized.isEmpty else { return nil }
        let totalBytes = Double(sized.reduce(Int64(0)) { $0 + ($1.weightBytes ?? 0) })
        var fixed = [Double](repeating: 0, count: LoadStep.total)
        var perByte = [Double](repeating: 0, count: LoadStep.total)
        for step in LoadStep.allCases {
            let index = step.number - 1
            let total = sized.reduce(0) { $0 + $1.stepSeconds[index] }
            if Self.scalesWithWeights(step) {
                perByte[index] = total / totalBytes
            } else {
                fixed[index] = total / Double(sized.count)
            }
        }
        self.init(fixedSeconds: fixed, secondsPerByte: perByte)
    }

    init(fixedSeconds: [Double], secondsPerByte: [Double]) {
        precondition(fixedSeconds.count == LoadStep.total && secondsPerByte.count == LoadStep.total)
        self.fixedSeconds = fixedSeconds
        self.secondsPerByte = secondsPerByte
    }

    /// Expected seconds of `step` for a model of `weightBytes`.
    func seconds(of step: LoadStep, weightBytes: Int64) -> Double {
        let index = step.number - 1
        return Self.scalesWithWeights(step)
            ? secondsPerByte[index] * Double(max(weightBytes, 0))
            : fixedSeconds[index]
    }
}
