@testable import ModelLoading
import Testing

struct LoaderQueueTests {
    @Test("with one load slot, a second model stays queued until the first load ends")
    func oneSlotQueues() async {
        let harness = await LoaderHarness(models: ["alpha", "beta"])
        let gate = Gate()
        harness.jobs.enqueue([.loadWeights: .block(gate)], for: "alpha")
        #expect(await harness.loader.load("alpha") == .started)
        #expect(await harness.loader.load("beta") == .queued)
        #expect(await harness.loader.load("beta") == .joined)
        #expect(await harness.recorder.wait(for: .progress, of: "alpha", step: .loadWeights))
        #expect(harness.loader.snapshot.status(of: "beta")?.state == .queued)
        #expect(harness.jobs.jobs(for: "beta").isEmpty)

        gate.open()
        #expect(await harness.loader.waitForOutcome("beta")?.state == .ready)
        let events = harness.recorder.events
        let alphaDone = events.firstIndex { $0.modelID == "alpha" && $0.kind == .completed }
        let betaFirstStep = events.firstIndex { $0.modelID == "beta" && $0.kind == .progress }
        #expect(alphaDone != nil && betaFirstStep != nil && alphaDone! < betaFirstStep!)
    }

    @Test("with two load slots, two models load at the same time")
    func twoSlotsRunTogether() async {
        let harness = await LoaderHarness(models: ["alpha", "beta"], settings: LoaderSettings(maxConcurrentLoads: 2))
        let gate = Gate()
        harness.jobs.enqueue([.loadWeights: .block(gate)], for: "alpha")
        harness.jobs.enqueue([.loadWeights: .block(gate)], for: "beta")
        #expect(await harness.loader.load("alpha") == .started)
        #expect(await harness.loader.load("beta") == .started)
        #expect(await harness.recorder.wait(for: .progress, of: "alpha", step: .loadWeights))
        #expect(await harness.recorder.wait(for: .progress, of: "beta", step: .loadWeights))
        #expect(harness.loader.snapshot.models.map(\.state) == [.loading, .loading])
        gate.open()
        #expect(await harness.loader.waitForOutcome("alpha")?.state == .ready)
        #expect(await harness.loader.waitForOutcome("beta")?.state == .ready)
        #expect(harness.loader.snapshot.isReady)
    }

    @Test("queued loads start in the order they were requested")
    func queueIsFIFO() async {
        let harness = await LoaderHarness(models: ["alpha", "beta", "gamma"])
        let gate = Gate()
        harness.jobs.enqueue([.initialize: .block(gate)], for: "alpha")
        _ = await harness.loader.load("alpha")
        #expect(await harness.loader.load("gamma") == .queued)
        #expect(await harness.loader.load("beta") == .queued)
        gate.open()
        _ = await harness.loader.waitForOutcome("beta")
        _ = await harness.loader.waitForOutcome("gamma")
        let completions = harness.recorder.events.filter { $0.kind == .completed }.map(\.modelID)
        #expect(completions == ["alpha", "gamma", "beta"])
    }

    @Test("the snapshot is not ready while a required model loads, and gives a Retry-After of at least 1")
    func snapshotWhileLoading() async {
        let harness = await LoaderHarness(models: ["alpha"])
        #expect(!harness.loader.snapshot.isReady)
        let gate = Gate()
        harness.jobs.enqueue([.loadTokenizer: .block(gate)], for: "alpha")
        _ = await harness.loader.load("alpha")
        #expect(await harness.recorder.wait(for: .progress, of: "alpha", step: .loadTokenizer))
        let snapshot = harness.loader.snapshot
        #expect(!snapshot.isReady)
        #expect(snapshot.status(of: "alpha")?.step == .loadTokenizer)
        #expect(snapshot.retryAfterSeconds >= 1)
        gate.open()
        _ = await harness.loader.waitForOutcome("alpha")
        #expect(harness.loader.snapshot.isReady)
    }
}
