import ModelLoading
import Testing

struct RegistrySnapshotTests {
    private func status(_ id: String, _ state: ModelState, required: Bool = true, eta: Int? = nil) -> ModelStatus {
        ModelStatus(id: id, required: required, state: state, etaSeconds: eta)
    }

    @Test("models are sorted by id and found by id")
    func sortedAndSearchable() {
        let snapshot = RegistrySnapshot(models: [status("m", .ready), status("a", .loading), status("z", .failed)])
        #expect(snapshot.models.map(\.id) == ["a", "m", "z"])
        #expect(snapshot.status(of: "m")?.state == .ready)
        #expect(snapshot.status(of: "z")?.state == .failed)
        #expect(snapshot.status(of: "b") == nil)
        #expect(RegistrySnapshot.empty.status(of: "a") == nil)
    }

    @Test("ready only when every required model is ready; optional models do not count")
    func readiness() {
        #expect(RegistrySnapshot.empty.isReady)
        #expect(RegistrySnapshot(models: [status("a", .ready), status("b", .failed, required: false)]).isReady)
        #expect(!RegistrySnapshot(models: [status("a", .ready), status("b", .loading)]).isReady)
        #expect(!RegistrySnapshot(models: [status("a", .unloaded)]).isReady)
    }

    @Test("Retry-After is the largest ETA of required pending models, at least 1")
    func retryAfter() {
        let snapshot = RegistrySnapshot(models: [
            status("a", .loading, eta: 4), status("b", .queued, eta: 9),
            status("c", .loading, required: false, eta: 60), status("d", .failed, eta: 100),
        ])
        #expect(snapshot.retryAfterSeconds == 9)
        #expect(RegistrySnapshot(models: [status("a", .loading, eta: 0)]).retryAfterSeconds == 1)
        #expect(RegistrySnapshot(models: [status("a", .loading)]).retryAfterSeconds == 1)
        #expect(RegistrySnapshot.empty.retryAfterSeconds == 1)
    }

    @Test("failed, cancelled and unloaded required models block readiness; pending ones do not")
    func blockingModels() {
        let snapshot = RegistrySnapshot(models: [
            status("a", .failed), status("b", .cancelled), status("c", .loading), status("d", .ready),
            status("e", .failed, required: false), status("f", .unloaded),
        ])
        #expect(snapshot.blockingModels.map(\.id) == ["a", "b", "f"])
    }

    @Test("state names are DESIGN's wire strings")
    func stateNames() {
        #expect(ModelState.allCases.map(\.rawValue)
            == ["unloaded", "queued", "loading", "ready", "failed", "cancelled", "unloading"])
    }
}
