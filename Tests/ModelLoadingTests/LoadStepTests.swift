import ModelLoading
import Testing

/// DESIGN §1.2's nine rows, copied here as the expected values (the one other place allowed
/// to hold them).
private let designTable: [(number: Int, step: LoadStep, phase: String, message: String)] = [
    (1, .initialize, "initialization", "Initializing model loader..."),
    (2, .loadTokenizer, "initialization", "Loading feature extractor..."),
    (3, .checkCache, "loading_model", "Checking model cache..."),
    (4, .prepareStrategies, "loading_model", "Preparing loading strategies..."),
    (5, .loadWeights, "loading_model", "Loading model weights..."),
    (6, .loadComplete, "device_setup", "Model loaded successfully"),
    (7, .moveToDevice, "device_setup", "Moving model to device..."),
    (8, .applyOptimizations, "optimization", "Applying optimizations..."),
    (9, .finalize, "optimization", "Finalizing model setup..."),
]

struct LoadStepTests {
    @Test("the enum lists DESIGN's nine steps in order, numbered 1 to 9")
    func casesMatchDesignOrder() {
        #expect(LoadStep.allCases == designTable.map(\.step))
        #expect(LoadStep.total == 9)
        #expect(LoadStep.allCases.map(\.number) == Array(1...9))
    }

    @Test("each step's number, phase and message match DESIGN's row", arguments: designTable.indices)
    func rowMatchesDesign(index: Int) {
        let row = designTable[index]
        #expect(row.step.number == row.number)
        #expect(row.step.rawValue == row.number)
        #expect(row.step.phase.rawValue == row.phase)
        #expect(row.step.message == row.message)
        #expect(LoadStep(rawValue: row.number) == row.step)
    }

    @Test("numbers outside 1...9 are not steps")
    func outOfRangeNumbersAreRejected() {
        #expect(LoadStep(rawValue: 0) == nil)
        #expect(LoadStep(rawValue: 10) == nil)
    }

    @Test("phases run in order and each owns a contiguous run of steps")
    func phasesAreContiguousAndOrdered() {
        let phaseOrder = LoadStep.allCases.map(\.phase).reduce(into: [LoadPhase]()) { runs, phase in
            if runs.last != phase { runs.append(phase) }
        }
        #expect(phaseOrder == LoadPhase.allCases)
        #expect(LoadPhase.allCases.map(\.rawValue) == ["initialization", "loading_model", "device_setup", "optimization"])
    }
}
