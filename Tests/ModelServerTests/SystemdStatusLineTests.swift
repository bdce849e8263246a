import ModelLoading
import Testing

@testable import ModelServer

struct SystemdStatusLineTests {
    private func loading(_ id: String, step: LoadStep?, progress: Double, eta: Int?) -> ModelStatus {
        ModelStatus(id: id, required: true, state: .loading, step: step, progress: progress, etaSeconds: eta, attempt: 1)
    }

    @Test("one loading model reads `loading id step/9 pct% eta Ns` then the counts")
    func oneLoadingModel() {
        let snapshot = RegistrySnapshot(models: [
            loading("minilm", step: .loadWeights, progress: 0.617, eta: 4),
            ModelStatus(id: "other", required: true, state: .ready),
        ])
        #expect(SystemdStatusLine.make(snapshot) == "loading minilm 5/9 61% eta 4s; 1 ready, 0 failed")
    }

    @Test("nothing loading or queued reads idle")
    func idle() {
        let snapshot = RegistrySnapshot(models: [
            ModelStatus(id: "a", required: true, state: .ready),
            ModelStatus(id: "b", required: false, state: .unloaded),
            ModelStatus(id: "c", required: true, state: .cancelled),
        ])
        #expect(SystemdStatusLine.make(snapshot) == "idle; 1 ready, 0 failed")
        #expect(SystemdStatusLine.make(.empty) == "idle; 0 ready, 0 failed")
    }

    @Test("queued loads, failures, an unknown ETA and a load before step 1 are shown")
    func queuedFailedAndUnknownETA() {
        let snapshot = RegistrySnapshot(models: [
            loading("a", step: .loadTokenizer, progress: 0.12, eta: nil),
            loading("b", step: nil, progress: 0, eta: nil),
            ModelStatus(id: "c", required: true, state: .queued),
            ModelStatus(id: "d", required: true, state: .failed),
        ])
        #expect(SystemdStatusLine.make(snapshot) == "loading a 2/9 12%, b 0/9 0%; 1 queued; 0 ready, 1 failed")
    }

    @Test("past three loading models the rest are counted, not listed")
    func manyLoadingModelsAreCounted() {
        let snapshot = RegistrySnapshot(models: (1...5).map { loading("m\($0)", step: .finalize, progress: 1, eta: 0) })
        #expect(SystemdStatusLine.make(snapshot)
            == "loading m1 9/9 100% eta 0s, m2 9/9 100% eta 0s, m3 9/9 100% eta 0s +2 more; 0 ready, 0 failed")
    }
}
