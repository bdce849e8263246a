import Foundation
@testable import ModelLoading
import Testing

struct LoaderProgressTests {
    private let t0 = ContinuousClock.now

    @Test("without history, progress follows the default weights and step 5's bytes")
    func defaultWeightsProgress() {
        let estimator = LoadEstimator(historySeconds: nil)
        #expect(!estimator.hasHistory)
        #expect(estimator.progress(at: .initialize, fraction: 0) == 0)
        #expect(abs(estimator.progress(at: .loadWeights, fraction: 0) - 0.12) < 1e-9)
        #expect(abs(estimator.progress(at: .loadWeights, fraction: 0.5) - 0.42) < 1e-9)
        #expect(abs(estimator.progress(at: .finalize, fraction: 1) - 1) < 1e-9)
        #expect(LoadEstimator.defaultWeights.max() == LoadEstimator.defaultWeights[LoadStep.loadWeights.number - 1])
    }

    @Test("without history there is no ETA until step 5 has a measured rate")
    func noBasisWithoutHistory() {
        let estimator = LoadEstimator(historySeconds: nil)
        #expect(estimator.remainingSeconds(.init(step: .initialize, fraction: nil, elapsedSeconds: 0)) == nil)
        #expect(estimator.remainingSeconds(.init(step: .loadWeights, fraction: 0, elapsedSeconds: 0,
                                                 bytesRemaining: 100)) == nil)
        // 50 of 100 bytes in 1 s: 1 s left in step 5, then later steps at 2 s per 0.6 weight.
        let eta = estimator.remainingSeconds(.init(step: .loadWeights, fraction: 0.5, elapsedSeconds: 1,
                                                   bytesRemaining: 50, bytesPerSecond: 50))
        #expect(eta.map { abs($0 - (1 + 2 * 0.28 / 0.6)) < 1e-9 } == true)
    }

    @Test("with history, the ETA is the rest of the current step plus every later step")
    func historyETA() {
        let history: [Double] = [1, 1, 1, 1, 10, 1, 1, 1, 1]
        let estimator = LoadEstimator(historySeconds: history)
        #expect(estimator.remainingSeconds(.init(step: .initialize, fraction: nil, elapsedSeconds: 0)) == 18)
        #expect(estimator.remainingSeconds(.init(step: .initialize, fraction: nil, elapsedSeconds: 0.5)) == 17.5)
        #expect(estimator.remainingSeconds(.init(step: .loadWeights, fraction: 0.25, elapsedSeconds: 0)) == 7.5 + 4)
        // A measured rate overrides the history for the current step.
        let measured = estimator.remainingSeconds(.init(step: .loadWeights, fraction: 0.5, elapsedSeconds: 1,
                                                        bytesRemaining: 300, bytesPerSecond: 100))
        #expect(measured.map { abs($0 - 7) < 1e-9 } == true, "\(String(describing: measured))")
        #expect(abs(estimator.progress(at: .loadWeights, fraction: 0.5) - 9.0 / 18) < 1e-9)
    }

    @Test("a history of zeros or of the wrong length falls back to the default weights")
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
