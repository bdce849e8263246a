import Foundation
@testable import ModelServer
import ModelLoading
import Testing

/// Load metrics from the loader's events: time to ready, per-step durations, bytes read,
/// loads by outcome, models by state (DESIGN §1.9).
struct LoadMetricsTests {
    static let stepNames = ["initialize", "load_tokenizer", "check_cache", "prepare_strategies", "load_weights",
                            "load_complete", "move_to_device", "apply_optimizations", "finalize"]

    @Test("step labels are the LoadStep table's names in snake case")
    func stepLabelsComeFromTheTable() {
        #expect(LoadStep.allCases.map(LoadMetrics.label(of:)) == Self.stepNames)
    }

    @Test("a real load feeds the step histograms, the load histogram, the bytes and the outcome")
    func realLoadFeedsTheMetrics() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("small", weightBytes: 64 << 10)
        let fixture = MetricsFixture(repository: repository)
        #expect(await fixture.loadAndWait("small") == .completed)
        let text = try fixture.scrape()
        #expect(text.value(MetricName.loads.rawValue, ["outcome": "completed"]) == 1)
        #expect(text.value(MetricName.loads.rawValue, ["outcome": "failed"]) == 0)
        #expect(text.value(MetricName.loads.rawValue, ["outcome": "cancelled"]) == 0)
        let steps = text.samples(named: MetricName.loadStepDuration.rawValue + "_count")
        #expect(steps.compactMap { $0.labels["step"] }.sorted() == Self.stepNames.sorted())
        #expect(steps.allSatisfy { $0.value == 1 })
        #expect(text.value(MetricName.loadDuration.rawValue + "_count") == 1)
        let stepSum = text.samples(named: MetricName.loadStepDuration.rawValue + "_sum").reduce(0) { $0 + $1.value }
        #expect(try #require(text.value(MetricName.loadDuration.rawValue + "_sum")) >= stepSum * 0.999)
        #expect(text.value(MetricName.loadBytes.rawValue, ["model": "small"]) == (try fixture.weightsFileSize("small")))
        #expect(text.value(MetricName.modelState.rawValue, ["model": "small", "state": "ready"]) == 1)
        #expect(text.value(MetricName.modelState.rawValue, ["model": "small", "state": "loading"]) == 0)
        #expect(text.samples(named: MetricName.modelState.rawValue).count == ModelState.allCases.count)
    }

    @Test("a load that fails counts as failed, with its bytes but no step durations")
    func failedLoadCountsAsFailed() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("broken", weightBytes: 4096, truncateBy: 100)
        let fixture = MetricsFixture(repository: repository)
        #expect(await fixture.loadAndWait("broken") == .failed)
        let text = try fixture.scrape()
        #expect(text.value(MetricName.loads.rawValue, ["outcome": "failed"]) == 1)
        #expect(text.value(MetricName.loads.rawValue, ["outcome": "completed"]) == 0)
        #expect(text.samples(named: MetricName.loadStepDuration.rawValue + "_count").allSatisfy { $0.value == 0 })
        #expect(text.value(MetricName.loadDuration.rawValue + "_count") == 0)
        #expect(text.value(MetricName.modelState.rawValue, ["model": "broken", "state": "failed"]) == 1)
    }

    @Test("a retried load counts the bytes of both attempts and the time from started to completed")
    func retriedLoadCountsBothAttempts() throws {
        let repository = try FixtureRepository()
        let fixture = MetricsFixture(repository: repository)
        let metrics = LoadMetrics(factory: fixture.metrics.factory)
        let timings = LoadTimings(stepSeconds: [0.5, 0.25, 0, 0, 2, 0, 0.125, 0, 1])
        for event in [loadEvent(.started, at: 0), loadEvent(.progress, bytes: 400, at: 1), loadEvent(.progress, bytes: 700, at: 2),
                      loadEvent(.progress, attempt: 2, bytes: 300, at: 4), loadEvent(.progress, attempt: 2, bytes: 1000, at: 5),
                      loadEvent(.completed, attempt: 2, bytes: 1000, at: 6.5, timings: timings),
                      loadEvent(.started, "other", at: 10), loadEvent(.cancelled, "other", bytes: 50, at: 11)] {
            metrics.record(event)
        }
        let text = try fixture.scrape()
        #expect(text.value(MetricName.loadBytes.rawValue, ["model": "m"]) == 1700)
        #expect(text.value(MetricName.loadBytes.rawValue, ["model": "other"]) == 50)
        #expect(text.value(MetricName.loadDuration.rawValue + "_sum") == 6.5)
        #expect(text.value(MetricName.loadDuration.rawValue + "_bucket", ["le": "5.0"]) == 0)
        #expect(text.value(MetricName.loadDuration.rawValue + "_bucket", ["le": "10.0"]) == 1)
        #expect(text.value(MetricName.loadStepDuration.rawValue + "_sum", ["step": "load_weights"]) == 2)
        #expect(text.value(MetricName.loadStepDuration.rawValue + "_sum", ["step": "move_to_device"]) == 0.125)
        #expect(text.value(MetricName.loads.rawValue, ["outcome": "completed"]) == 1)
        #expect(text.value(MetricName.loads.rawValue, ["outcome": "cancelled"]) == 1)
    }

    @Test("models removed from the repository lose their state series")
    func removedModelsLoseTheirStateSeries() throws {
        let repository = try FixtureRepository()
        let fixture = MetricsFixture(repository: repository)
        let metrics = LoadMetrics(factory: fixture.metrics.factory)
        metrics.refreshModelStates(from: RegistrySnapshot(models: [ModelStatus(id: "a", required: true),
                                                                   ModelStatus(id: "b", required: true, state: .queued)]))
        var text = try fixture.scrape()
        #expect(text.value(MetricName.modelState.rawValue, ["model": "a", "state": "unloaded"]) == 1)
        #expect(text.value(MetricName.modelState.rawValue, ["model": "b", "state": "queued"]) == 1)
        #expect(text.value(MetricName.modelState.rawValue, ["model": "b", "state": "unloaded"]) == 0)
        metrics.refreshModelStates(from: RegistrySnapshot(models: [ModelStatus(id: "b", required: true, state: .loading)]))
        text = try fixture.scrape()
        #expect(text.samples(named: MetricName.modelState.rawValue).allSatisfy { $0.labels["model"] == "b" })
        #expect(text.value(MetricName.modelState.rawValue, ["model": "b", "state": "loading"]) == 1)
    }
}
