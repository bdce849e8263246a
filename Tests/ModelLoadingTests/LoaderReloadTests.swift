@testable import ModelLoading
import Testing

/// What a `SIGHUP` asks of the loader: a new set of models (`setModels`) and new settings
/// (`updateSettings`), with unchanged models keeping their state.
struct LoaderReloadTests {
    private func descriptors(_ ids: [String]) -> [ModelDescriptor] {
        ids.map { ModelDescriptor(id: $0, directory: "/models/\($0)", manifest: ModelManifest(runtime: "test")) }
    }

    @Test("given a loading model, when setModels drops it, its load is cancelled, its slot freed and its job released")
    func removingLoadingModelCancelsIt() async {
        let harness = await LoaderHarness(models: ["alpha", "beta"])
        harness.jobs.enqueue([.loadWeights: .block(Gate())], for: "alpha")
        _ = await harness.loader.load("alpha")
        #expect(await harness.recorder.wait(for: .progress, of: "alpha", step: .loadWeights))

        await harness.loader.setModels(descriptors(["beta"]))

        #expect(harness.kinds(of: "alpha").last == .cancelled)
        #expect(harness.loader.snapshot.status(of: "alpha") == nil)
        #expect(await harness.loader.load("alpha") == .unknownModel)
        #expect(await eventually { harness.jobs.jobs(for: "alpha").first?.releaseCount == 1 })
        // The slot it held is free again.
        #expect(await harness.loader.load("beta") == .started)
        #expect(await harness.loader.waitForOutcome("beta")?.state == .ready)
    }

    @Test("given a ready model, when setModels drops it, it is unloaded and forgotten")
    func removingReadyModelUnloadsIt() async {
        let harness = await LoaderHarness()
        _ = await harness.loader.load("alpha")
        #expect(await harness.loader.waitForOutcome("alpha")?.state == .ready)

        await harness.loader.setModels([])

        #expect(harness.kinds(of: "alpha").suffix(2) == [.completed, .unloaded])
        #expect(harness.loader.loadedModel("alpha") == nil)
        #expect(harness.loader.snapshot.models.isEmpty)
    }

    @Test("a model that was never loaded is forgotten without an event")
    func removingIdleModelIsSilent() async {
        let harness = await LoaderHarness(models: ["alpha", "beta"])
        await harness.loader.setModels(descriptors(["alpha"]))
        #expect(harness.recorder.events.isEmpty)
        #expect(harness.loader.snapshot.models.map(\.id) == ["alpha"])
    }

    @Test("given a queued model, when setModels drops it, its queue place is freed and it never runs")
    func removingQueuedModelFreesItsPlace() async {
        let harness = await LoaderHarness(models: ["alpha", "beta", "gamma"])
        let gate = Gate()
        harness.jobs.enqueue([.initialize: .block(gate)], for: "alpha")
        _ = await harness.loader.load("alpha")
        #expect(await harness.loader.load("beta") == .queued)
        #expect(await harness.loader.load("gamma") == .queued)

        await harness.loader.setModels(descriptors(["alpha", "gamma"]))
        #expect(harness.kinds(of: "beta") == [.started, .cancelled])
        gate.open()

        #expect(await harness.loader.waitForOutcome("alpha")?.state == .ready)
        #expect(await harness.loader.waitForOutcome("gamma")?.state == .ready)
        #expect(harness.jobs.jobs(for: "beta").isEmpty)
    }

    @Test("models kept by setModels keep their state: a ready one stays ready, a running load continues")
    func keptModelsKeepTheirState() async {
        let harness = await LoaderHarness(models: ["alpha", "beta"])
        _ = await harness.loader.load("alpha")
        #expect(await harness.loader.waitForOutcome("alpha")?.state == .ready)
        let gate = Gate()
        harness.jobs.enqueue([.loadWeights: .block(gate)], for: "beta")
        _ = await harness.loader.load("beta")
        #expect(await harness.recorder.wait(for: .progress, of: "beta", step: .loadWeights))
        let eventsBefore = harness.recorder.events.count

        await harness.loader.setModels(descriptors(["alpha", "beta", "gamma"]))

        #expect(harness.recorder.events.count == eventsBefore)
        #expect(harness.loader.snapshot.status(of: "alpha")?.state == .ready)
        #expect(harness.loader.loadedModel("alpha") != nil)
        #expect(harness.loader.snapshot.status(of: "beta")?.state == .loading)
        #expect(harness.loader.snapshot.status(of: "gamma")?.state == .unloaded)
        gate.open()
        #expect(await harness.loader.waitForOutcome("beta")?.state == .ready)
        #expect(harness.jobs.jobs(for: "beta").count == 1)
    }

    @Test("raising max-concurrent-loads starts queued loads at once")
    func raisingConcurrencyStartsQueuedLoads() async {
        let harness = await LoaderHarness(models: ["alpha", "beta"])
        let gate = Gate()
        harness.jobs.enqueue([.initialize: .block(gate)], for: "alpha")
        harness.jobs.enqueue([.initialize: .block(gate)], for: "beta")
        _ = await harness.loader.load("alpha")
        #expect(await harness.loader.load("beta") == .queued)

        await harness.loader.updateSettings(LoaderSettings(maxConcurrentLoads: 2))

        #expect(harness.loader.settings.maxConcurrentLoads == 2)
        #expect(harness.loader.snapshot.status(of: "beta")?.state == .loading)
        gate.open()
        #expect(await harness.loader.waitForOutcome("alpha")?.state == .ready)
        #expect(await harness.loader.waitForOutcome("beta")?.state == .ready)
    }

    @Test("lowering max-concurrent-loads lets the running loads finish and queues the next")
    func loweringConcurrencyQueuesNewLoads() async {
        let harness = await LoaderHarness(models: ["alpha", "beta", "gamma"], settings: LoaderSettings(maxConcurrentLoads: 2))
        let gate = Gate()
        for id in ["alpha", "beta"] { harness.jobs.enqueue([.initialize: .block(gate)], for: id) }
        #expect(await harness.loader.load("alpha") == .started)
        #expect(await harness.loader.load("beta") == .started)

        await harness.loader.updateSettings(LoaderSettings(maxConcurrentLoads: 1))

        #expect(harness.loader.snapshot.status(of: "alpha")?.state == .loading)
        #expect(harness.loader.snapshot.status(of: "beta")?.state == .loading)
        #expect(await harness.loader.load("gamma") == .queued)
        gate.open()
        #expect(await harness.loader.waitForOutcome("gamma")?.state == .ready)
    }

    @Test("a new retry count applies to the next failure")
    func newRetryCountApplies() async {
        let harness = await LoaderHarness()
        harness.jobs.enqueue([.loadWeights: .fail(ModelLoadError(code: "io_error", message: "Flaky."))], for: "alpha")
        harness.jobs.enqueue([:], for: "alpha")
        await harness.loader.updateSettings(LoaderSettings(loadRetries: 1))
        _ = await harness.loader.load("alpha")
        let status = await harness.loader.waitForOutcome("alpha")
        #expect(status?.state == .ready)
        #expect(status?.attempt == 2)
    }
}
