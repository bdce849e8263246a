@testable import ModelLoading
import Synchronization
import Testing

struct LoaderCancelTests {
    @Test("cancel during each step ends in model_load_cancelled, releases the job, and a later load succeeds",
          arguments: LoadStep.allCases)
    func cancelAtStep(step: LoadStep) async {
        let harness = await LoaderHarness()
        harness.jobs.enqueue([step: .block(Gate())], for: "alpha")
        #expect(await harness.loader.load("alpha") == .started)
        #expect(await harness.recorder.wait(for: .progress, of: "alpha", step: step))

        #expect(await harness.loader.cancel("alpha") == .cancelled)
        let status = harness.loader.snapshot.status(of: "alpha")
        #expect(status?.state == .cancelled)
        #expect(status?.step == step)
        // Events are delivered just after the state change, possibly by another thread.
        #expect(await harness.recorder.wait(for: .cancelled, of: "alpha"))
        let events = harness.recorder.events(for: "alpha")
        #expect(events.last?.name == "model_load_cancelled")
        #expect(events.last?.step == step)
        #expect(events.filter { $0.kind == .cancelled }.count == 1)
        let job = harness.jobs.jobs(for: "alpha")[0]
        #expect(await eventually { job.releaseCount == 1 })
        #expect(job.stepsRun.last == step)

        #expect(await harness.loader.load("alpha") == .started)
        #expect(await harness.loader.waitForOutcome("alpha")?.state == .ready)
        // Nothing from the cancelled attempt may follow its terminal event.
        let afterCancel = harness.recorder.events(for: "alpha").drop { $0.kind != .cancelled }.dropFirst()
        #expect(afterCancel.first?.kind == .started)
        #expect(afterCancel.last?.kind == .completed)
    }

    @Test("a cancel lands while the job is inside a long chunked step, well within 100 ms")
    func cancelLandsInsideLongStep() async {
        let harness = await LoaderHarness()
        harness.jobs.enqueue([.loadWeights: .block(Gate(), bytesPerChunk: 1 << 20, totalBytes: 1 << 40)], for: "alpha")
        _ = await harness.loader.load("alpha")
        #expect(await harness.recorder.wait(for: .progress, of: "alpha", step: .loadWeights))
        let job = harness.jobs.jobs(for: "alpha")[0]
        #expect(await eventually { harness.loader.snapshot.status(of: "alpha")?.bytesLoaded ?? 0 > 0
            || harness.recorder.events(for: "alpha").count > 7 })

        let start = ContinuousClock.now
        #expect(await harness.loader.cancel("alpha") == .cancelled)
        #expect(harness.loader.snapshot.status(of: "alpha")?.state == .cancelled)
        #expect(await eventually { job.releaseCount == 1 })
        let latency = (job.releasedAt.withLock { $0 } ?? ContinuousClock.now) - start
        // The job polls per 2 ms chunk; a generous bound keeps a loaded CI machine from
        // flaking while a job that ignores the flag still fails the test.
        #expect(latency < .milliseconds(500), "cancel took \(latency)")
        #expect(job.stepsRun.last == .loadWeights)
        // Byte reports the job made between the cancel and its next check are dropped.
        #expect(await harness.recorder.wait(for: .cancelled, of: "alpha"))
        #expect(harness.kinds(of: "alpha").last == .cancelled)
        #expect(harness.kinds(of: "alpha").filter { $0 == .cancelled }.count == 1)
    }

    @Test("cancelling a queued load emits started then cancelled and never runs a job")
    func cancelQueuedLoad() async {
        let harness = await LoaderHarness(models: ["alpha", "beta"])
        let gate = Gate()
        harness.jobs.enqueue([.initialize: .block(gate)], for: "alpha")
        _ = await harness.loader.load("alpha")
        #expect(await harness.loader.load("beta") == .queued)
        #expect(await harness.loader.cancel("beta") == .cancelled)
        #expect(harness.kinds(of: "beta") == [.started, .cancelled])
        #expect(harness.recorder.events(for: "beta").first?.state == .queued)
        gate.open()
        #expect(await harness.loader.waitForOutcome("alpha")?.state == .ready)
        #expect(harness.jobs.jobs(for: "beta").isEmpty)
        #expect(harness.loader.snapshot.status(of: "beta")?.state == .cancelled)
    }

    @Test("cancel with nothing queued or loading, or for an unknown model, says so")
    func cancelWithoutLoad() async {
        let harness = await LoaderHarness()
        #expect(await harness.loader.cancel("alpha") == .nothingToCancel)
        #expect(await harness.loader.cancel("nope") == .unknownModel)
    }

    @Test("a caller waiting for the outcome is answered when the load is cancelled")
    func waiterSeesCancellation() async {
        let harness = await LoaderHarness()
        harness.jobs.enqueue([.moveToDevice: .block(Gate())], for: "alpha")
        _ = await harness.loader.load("alpha")
        async let outcome = harness.loader.waitForOutcome("alpha")
        #expect(await harness.recorder.wait(for: .progress, of: "alpha", step: .moveToDevice))
        _ = await harness.loader.cancel("alpha")
        #expect(await outcome?.state == .cancelled)
    }
}
