@testable import ModelLoading
import Testing

struct LoaderFailureTests {
    @Test("a failure in each step is reported with that step and the job's code", arguments: LoadStep.allCases)
    func failureAtStep(step: LoadStep) async {
        let harness = await LoaderHarness()
        let error = ModelLoadError(code: "digest_mismatch", message: "The weights do not match.")
        harness.jobs.enqueue([step: .fail(error)], for: "alpha")
        _ = await harness.loader.load("alpha")
        let status = await harness.loader.waitForOutcome("alpha")
        #expect(status?.state == .failed)
        #expect(status?.failure == LoadFailure(code: "digest_mismatch", message: "The weights do not match.", step: step))
        let events = harness.recorder.events(for: "alpha")
        #expect(events.map(\.kind) == [.started] + Array(repeating: .progress, count: step.number) + [.failed])
        #expect(events.last?.failure?.step == step)
        #expect(events.last?.name == "model_load_failed")
        #expect(await eventually { harness.jobs.jobs(for: "alpha").first?.releaseCount == 1 })
        #expect(harness.loader.snapshot.blockingModels.map(\.id) == ["alpha"])
    }

    @Test("a load with no progress for the stall timeout fails with load_stalled at its step")
    func stallFails() async {
        let harness = await LoaderHarness(settings: LoaderSettings(loadStallTimeout: .milliseconds(150)))
        harness.jobs.enqueue([.prepareStrategies: .block(Gate())], for: "alpha")
        _ = await harness.loader.load("alpha")
        let status = await harness.loader.waitForOutcome("alpha")
        #expect(status?.state == .failed)
        #expect(status?.failure?.code == "load_stalled")
        #expect(status?.failure?.step == .prepareStrategies)
        #expect(harness.kinds(of: "alpha").last == .failed)
        #expect(await eventually { harness.jobs.jobs(for: "alpha").first?.releaseCount == 1 })
    }

    @Test("byte reports count as progress, so a slow but moving step does not stall")
    func bytesKeepLoadAlive() async {
        let harness = await LoaderHarness(settings: LoaderSettings(loadStallTimeout: .milliseconds(150)))
        let gate = Gate()
        harness.jobs.enqueue([.loadWeights: .block(gate, bytesPerChunk: 1, totalBytes: 1 << 40)], for: "alpha")
        _ = await harness.loader.load("alpha")
        #expect(await harness.recorder.wait { events in events.filter { $0.step == .loadWeights }.count >= 5 })
        gate.open()
        #expect(await harness.loader.waitForOutcome("alpha")?.state == .ready)
    }

    @Test("a failed attempt is retried as attempt 2 from step 1, with one started and one completed")
    func retrySucceeds() async {
        let harness = await LoaderHarness(settings: LoaderSettings(loadRetries: 1))
        harness.jobs.enqueue([.prepareStrategies: .fail(ModelLoadError(code: "header_past_end", message: "Bad."))], for: "alpha")
        _ = await harness.loader.load("alpha")
        let status = await harness.loader.waitForOutcome("alpha")
        #expect(status?.state == .ready)
        #expect(status?.attempt == 2)
        let events = harness.recorder.events(for: "alpha")
        #expect(events.map(\.kind) == [.started] + Array(repeating: .progress, count: 4 + 9) + [.completed])
        #expect(events[1...4].allSatisfy { $0.attempt == 1 })
        #expect(events[5].attempt == 2 && events[5].step == .initialize)
        #expect(await eventually { harness.jobs.jobs(for: "alpha").map(\.releaseCount) == [1, 1] })
    }

    @Test("when every attempt fails, the load fails once, reporting the last attempt")
    func retriesExhausted() async {
        let harness = await LoaderHarness(settings: LoaderSettings(loadRetries: 2))
        let error = ModelLoadError(code: "file_not_found", message: "No weights.")
        for _ in 0..<3 { harness.jobs.enqueue([.loadWeights: .fail(error)], for: "alpha") }
        _ = await harness.loader.load("alpha")
        let status = await harness.loader.waitForOutcome("alpha")
        #expect(status?.state == .failed)
        #expect(status?.attempt == 3)
        #expect(harness.kinds(of: "alpha").filter { $0 == .failed }.count == 1)
        #expect(harness.jobs.jobs(for: "alpha").count == 3)
    }

    @Test("a stalled attempt is retried when retries are allowed")
    func stallIsRetried() async {
        let harness = await LoaderHarness(settings: LoaderSettings(loadStallTimeout: .milliseconds(150), loadRetries: 1))
        harness.jobs.enqueue([.checkCache: .block(Gate())], for: "alpha")
        _ = await harness.loader.load("alpha")
        let status = await harness.loader.waitForOutcome("alpha")
        #expect(status?.state == .ready)
        #expect(status?.attempt == 2)
        #expect(await eventually { harness.jobs.jobs(for: "alpha").map(\.releaseCount) == [1, 1] })
    }
}
