import Foundation
@testable import ModelLoading
import Testing

struct LoaderProgressTests {
    private let t0 = ContinuousClock.now

    private func position(_ step: LoadStep, stepElapsed: Double = 0, attemptElapsed: Double = 0,
                          transfer: LoadEstimator.Transfer? = nil, weightBytes: Int64? = nil) -> LoadEstimator.Position {
        .init(step: step, stepElapsed: stepElapsed, attemptElapsed: attemptElapsed, transfer: transfer,
              weightBytes: weightBytes)
    }

    @Test("with nothing to estimate from, progress follows the default weights and step 5's bytes")
    func defaultWeightsProgress() {
        let estimator = LoadEstimator(historySeconds: nil)
        #expect(!estimator.hasHistory)
        #expect(estimator.progress(position(.initialize), remaining: nil) == 0)
        #expect(abs(estimator.progress(position(.loadWeights), remaining: nil) - 0.12) < 1e-9)
        let half = LoadEstimator.Transfer(bytesDone: 50, bytesTotal: 100)
        #expect(abs(estimator.progress(position(.loadWeights, transfer: half), remaining: nil) - 0.42) < 1e-9)
        #expect(LoadEstimator.defaultWeights.max() == LoadEstimator.defaultWeights[LoadStep.loadWeights.number - 1])
    }

    @Test("without any history the size of the weights is the basis: nil until it is known")
    func noBasisWithoutSize() {
        let estimator = LoadEstimator(historySeconds: nil)
        #expect(estimator.remainingSeconds(position(.initialize)) == nil)
        #expect(estimator.remainingSeconds(position(.loadWeights, transfer: .init(bytesDone: 0, bytesTotal: 0))) == nil)
        // Known size: the built-in profile prices every step.
        let built = StepCostProfile.builtIn
        let bytes: Int64 = 1_000_000_000
        let all = LoadStep.allCases.reduce(0.0) { $0 + built.seconds(of: $1, weightBytes: bytes) }
        let eta = estimator.remainingSeconds(position(.initialize, weightBytes: bytes))
        #expect(eta.map { abs($0 - all) < 1e-9 } == true, "\(String(describing: eta))")
    }

    @Test("with history, the ETA is the rest of the current step plus every later step")
    func historyETA() {
        let history: [Double] = [1, 1, 1, 1, 10, 1, 1, 1, 1]
        let estimator = LoadEstimator(historySeconds: history)
        #expect(estimator.remainingSeconds(position(.initialize)) == 18)
        #expect(estimator.remainingSeconds(position(.initialize, stepElapsed: 0.5)) == 17.5)
        // Bytes without a rate yet: the step's history scaled by the byte fraction.
        let quarter = LoadEstimator.Transfer(bytesDone: 25, bytesTotal: 100)
        #expect(estimator.remainingSeconds(position(.loadWeights, transfer: quarter)) == 7.5 + 4)
        // A measured rate overrides the history for the current step.
        let measured = estimator.remainingSeconds(position(
            .loadWeights, stepElapsed: 1, transfer: .init(bytesDone: 300, bytesTotal: 600, bytesPerSecond: 100)))
        #expect(measured.map { abs($0 - 7) < 1e-9 } == true, "\(String(describing: measured))")
        // The bar is the elapsed share of the expected whole.
        #expect(abs(estimator.progress(position(.loadWeights, attemptElapsed: 9), remaining: 9) - 0.5) < 1e-9)
    }

    @Test("a history of zeros or of the wrong length is no history")
    func degenerateHistory() {
        #expect(!LoadEstimator(historySeconds: Array(repeating: 0, count: 9)).hasHistory)
        #expect(!LoadEstimator(historySeconds: [1, 2]).hasHistory)
    }

    @Test("byte updates are published at most every 100 ms")
    func byteThrottle() {
        var progress = AttemptProgress(estimator: LoadEstimator(historySeconds: nil), now: t0)
        progress.stepStarted(.loadWeights, now: t0)
        var published: [Bool] = []
        for (loaded, milliseconds) in [(1, 50), (2, 100), (3, 199), (4, 200)] as [(Int64, Int)] {
            published.append(progress.bytesReported(loaded: loaded, total: 100,
                                                    now: t0.advanced(by: .milliseconds(milliseconds))))
        }
        #expect(published == [false, true, false, true])
    }

    @Test("progress never decreases within an attempt, even when a step reports fewer bytes")
    func progressMonotonic() {
        var progress = AttemptProgress(estimator: LoadEstimator(historySeconds: nil), now: t0)
        var values: [Double] = []
        var now = t0
        for step in LoadStep.allCases {
            now = now.advanced(by: .milliseconds(10))
            progress.stepStarted(step, now: now)
            values.append(progress.estimate(now: now).progress)
            if step == .loadWeights {
                for loaded: Int64 in [10, 60, 30, 90, 100] {
                    now = now.advanced(by: .milliseconds(150))
                    _ = progress.bytesReported(loaded: loaded, total: 100, now: now)
                    values.append(progress.estimate(now: now).progress)
                }
            }
        }
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(values.count == 9 + 5)
        let timings = progress.finish(now: now)
        #expect(timings.seconds(of: .loadWeights) > 0.7)
    }

    @Test("a load's events carry non-decreasing progress and byte counts inside step 5")
    func loadEventsMonotonic() async {
        let harness = await LoaderHarness()
        let gate = Gate()
        harness.jobs.enqueue([.loadWeights: .block(gate, bytesPerChunk: 1 << 10, totalBytes: 1 << 30)], for: "alpha")
        _ = await harness.loader.load("alpha")
        #expect(await harness.recorder.wait { events in
            events.filter { $0.step == .loadWeights && $0.bytesLoaded > 0 }.count >= 2
        })
        let running = harness.loader.snapshot.status(of: "alpha")
        #expect(running?.bytesTotal == 1 << 30)
        #expect(running?.etaSeconds != nil)
        gate.open()
        _ = await harness.loader.waitForOutcome("alpha")
        let events = harness.recorder.events(for: "alpha")
        let progress = events.map(\.progress)
        #expect(zip(progress, progress.dropFirst()).allSatisfy { $0 <= $1 })
        let bytes = events.filter { $0.step == .loadWeights }.map(\.bytesLoaded)
        #expect(zip(bytes, bytes.dropFirst()).allSatisfy { $0 <= $1 })
        let byteEvents = events.filter { $0.step == .loadWeights && $0.bytesLoaded > 0 }
        let gaps = zip(byteEvents, byteEvents.dropFirst()).map { $1.timestamp.timeIntervalSince($0.timestamp) }
        // The loader spaces byte events 100 ms apart on its monotonic clock; `timestamp` is
        // the wall clock read a little later, when the event is made. Under a sanitizer (or a
        // loaded machine) that "little" varies by milliseconds, so allow 10 ms of it; without
        // the throttle the events would be 2 ms apart (one per chunk).
        #expect(gaps.allSatisfy { $0 >= 0.09 }, "\(gaps)")
    }

    @Test("given an earlier load of the model, the next load has an ETA from its first step on")
    func repeatLoadHasETA() async {
        let harness = await LoaderHarness()
        _ = await harness.loader.load("alpha")
        _ = await harness.loader.waitForOutcome("alpha")
        #expect(harness.recorder.events(for: "alpha").first { $0.kind == .progress }?.etaSeconds == nil)
        _ = await harness.loader.unload("alpha")
        _ = await harness.loader.load("alpha")
        _ = await harness.loader.waitForOutcome("alpha")
        let second = harness.recorder.events(for: "alpha").drop { $0.kind != .unloaded }
        #expect(second.filter { $0.kind == .progress }.allSatisfy { $0.etaSeconds != nil })
        #expect(second.last?.etaSeconds == 0)
    }

    @Test("an event's data fields use DESIGN's keys and values")
    func dataFields() {
        let event = LoadEvent(kind: .progress, modelID: "minilm", state: .loading, attempt: 1, step: .loadWeights,
                              progress: 0.61, bytesLoaded: 55, bytesTotal: 90, etaSeconds: 4)
        #expect(event.name == "model_load_progress")
        let fields = event.dataFields
        #expect(fields.map(\.key) == ["id", "state", "attempt", "step", "total", "phase", "message", "progress",
                                      "bytes_loaded", "bytes_total", "eta_seconds"])
        #expect(fields[3].value == .int(5))
        #expect(fields[5].value == .string("loading_model"))
        #expect(fields[6].value == .string(LoadStep.loadWeights.message))
        let failed = LoadEvent(kind: .failed, modelID: "m", state: .failed, attempt: 1, step: .checkCache, progress: 0.1,
                               bytesLoaded: 0, bytesTotal: 0, etaSeconds: nil,
                               failure: LoadFailure(code: "x", message: "y", step: .checkCache))
        #expect(failed.dataFields.last?.key == "error")
        #expect(failed.dataFields.first { $0.key == "eta_seconds" }?.value == .null)
    }

    @Test("through a long CPU step the published ETA counts down and the bar moves, without extra events")
    func estimateRefreshedDuringLongStep() async {
        let harness = await LoaderHarness()
        // An earlier load of alpha spent 30 s in step 7 and nothing elsewhere.
        harness.loader.history.remember(
            LoadTimings(stepSeconds: [0, 0, 0, 0, 0, 0, 30, 0, 0]), weightBytes: nil, for: "alpha")
        let gate = Gate()
        harness.jobs.enqueue([.moveToDevice: .block(gate)], for: "alpha")
        _ = await harness.loader.load("alpha")
        #expect(await eventually { harness.loader.snapshot.status(of: "alpha")?.step == .moveToDevice })
        let first = harness.loader.snapshot.status(of: "alpha")
        let eventsBefore = harness.recorder.events(for: "alpha").count
        // 30 s at the step's start; about 2.5 s later the published ETA must say 28 or less.
        #expect(await eventually(timeout: .seconds(20)) {
            (harness.loader.snapshot.status(of: "alpha")?.etaSeconds ?? 99) <= 28
        }, "\(String(describing: harness.loader.snapshot.status(of: "alpha")))")
        let later = harness.loader.snapshot.status(of: "alpha")
        #expect((later?.progress ?? 0) > (first?.progress ?? 1))
        #expect(harness.recorder.events(for: "alpha").count == eventsBefore)
        gate.open()
        #expect(await harness.loader.waitForOutcome("alpha")?.state == .ready)
    }

    @Test("a download's file and rate follow eta_seconds in a progress event")
    func transferFields() {
        var event = LoadEvent(kind: .progress, modelID: "m", state: .loading, attempt: 1, step: .checkCache,
                              progress: 0.2, bytesLoaded: 10, bytesTotal: 90, etaSeconds: 8)
        event.transfer = LoadTransfer(file: "model.safetensors", bytesPerSecond: 1_000_000.4)
        let fields = event.dataFields
        #expect(fields.suffix(3).map(\.key) == ["eta_seconds", "file", "bytes_per_second"])
        #expect(fields.last?.value == .int(1_000_000))
        #expect(fields[fields.count - 2].value == .string("model.safetensors"))
    }
}
