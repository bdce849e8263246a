import Foundation
@testable import ModelLoading
import Testing

/// The estimator behind `progress` and `eta_seconds`, driven through `AttemptProgress` with
/// chosen instants and made-up byte rates.
struct LoadEstimatorTests {
    private let t0 = ContinuousClock.now
    private let megabyte: Int64 = 1_000_000

    /// This machine as a test sees it: steps 1–4 take 0.1 s each, step 5 reads at 1 ns/B
    /// (only until a rate is measured), steps 6–9 cost 2, 4, 2 and 2 ns per byte.
    private let profile = StepCostProfile(fixedSeconds: [0.1, 0.1, 0.1, 0.1, 0, 0, 0, 0, 0],
                                          secondsPerByte: [0, 0, 0, 0, 1e-9, 2e-9, 4e-9, 2e-9, 2e-9])

    /// An attempt of a model of `weightBytes` without a history of its own, run to the start of
    /// step 5; returns it and the instant.
    private func attemptAtStep5(weightBytes: Int64) -> (AttemptProgress, ContinuousClock.Instant) {
        var attempt = AttemptProgress(estimator: LoadEstimator(history: nil, profile: profile),
                                      weightBytes: weightBytes, now: t0)
        var now = t0
        for step in LoadStep.allCases.prefix(4) {
            attempt.stepStarted(step, now: now)
            now = now.advanced(by: .milliseconds(100))
        }
        attempt.stepStarted(.loadWeights, now: now)
        return (attempt, now)
    }

    /// Feeds step 5 `rate` bytes per second in 10 ms chunks for `seconds`, from `done` bytes.
    private func read(_ attempt: inout AttemptProgress, from done: inout Int64, total: Int64, rate: Int64,
                      seconds: Double, now: inout ContinuousClock.Instant) {
        for _ in 0..<Int(seconds * 100) {
            now = now.advanced(by: .milliseconds(10))
            done = min(done + rate / 100, total)
            _ = attempt.bytesReported(loaded: done, total: total, now: now)
        }
    }

    @Test("a first load has an ETA from step 1: this machine's costs times the weights' size")
    func firstLoadFromProfile() {
        let weights = 1_000 * megabyte
        var attempt = AttemptProgress(estimator: LoadEstimator(history: nil, profile: profile),
                                      weightBytes: weights, now: t0)
        attempt.stepStarted(.initialize, now: t0)
        // 0.4 s of fixed steps, 1 s of reading at the prior, 10 s of CPU steps.
        #expect(attempt.estimate(now: t0).etaSeconds == 11)
        #expect(attempt.estimate(now: t0).progress == 0)
        // The bar waits for step 5's measured rate: the usual rate is only a guess for this read.
        attempt.stepStarted(.prepareStrategies, now: t0.advanced(by: .milliseconds(300)))
        #expect(attempt.estimate(now: t0.advanced(by: .milliseconds(400))).progress == 0)
    }

    @Test("inside an I/O step the ETA is the remaining bytes at the live rate plus the CPU steps, and falls as bytes arrive")
    func etaFallsAsBytesArrive() {
        let total = 1_000 * megabyte
        var (attempt, now) = attemptAtStep5(weightBytes: total)
        var done: Int64 = 0
        var etas: [Int] = []
        for _ in 0..<8 {
            read(&attempt, from: &done, total: total, rate: 100 * megabyte, seconds: 1, now: &now)
            etas.append(attempt.estimate(now: now).etaSeconds ?? -1)
        }
        // After 1 s at 100 MB/s: 9 s of reading and 10 s of CPU steps left; then one less per second.
        #expect(etas == [19, 18, 17, 16, 15, 14, 13, 12], "\(etas)")
    }

    @Test("a hub model's download at step 3 sizes its weights when its folder had none, so the load has an ETA")
    func downloadSizesTheWeights() {
        let total = 1_000 * megabyte
        var attempt = AttemptProgress(estimator: LoadEstimator(history: nil, profile: profile), now: t0)
        var now = t0
        for step in LoadStep.allCases.prefix(2) {
            attempt.stepStarted(step, now: now)
            now = now.advanced(by: .milliseconds(100))
        }
        attempt.stepStarted(.checkCache, now: now)
        #expect(attempt.estimate(now: now).etaSeconds == nil, "no size, no basis for steps 5-9 yet")
        var done: Int64 = 0
        read(&attempt, from: &done, total: total, rate: 100 * megabyte, seconds: 1, now: &now)
        // 9 s of download at 100 MB/s, 0.1 s for step 4, 1 s of reading at the prior, 10 s of CPU steps.
        #expect(attempt.estimate(now: now).etaSeconds == 20, "\(String(describing: attempt.estimate(now: now)))")
    }

    @Test("a change of rate reaches the ETA within the rate window")
    func rateChangeIsFollowed() {
        let total = 2_000 * megabyte
        var (attempt, now) = attemptAtStep5(weightBytes: total)
        var done: Int64 = 0
        read(&attempt, from: &done, total: total, rate: 100 * megabyte, seconds: 5, now: &now)
        // 1,500 MB left at 100 MB/s, plus 20 s of CPU steps.
        #expect(attempt.estimate(now: now).etaSeconds == 35)
        // The rate drops to 20 MB/s: by the end of the window only the new rate counts.
        let window = ByteRateMeter.window.seconds + 2 * ByteRateMeter.sampleInterval.seconds
        read(&attempt, from: &done, total: total, rate: 20 * megabyte, seconds: window, now: &now)
        let left = Double(total - done) / Double(20 * megabyte) + 20
        let eta = Double(attempt.estimate(now: now).etaSeconds ?? -1)
        #expect(abs(eta - left) <= 1, "eta \(eta), expected \(left)")
    }

    @Test("the bar never moves back, also when a slower rate makes the whole load longer")
    func progressNeverBack() {
        let total = 1_000 * megabyte
        var (attempt, now) = attemptAtStep5(weightBytes: total)
        var done: Int64 = 0
        var values: [Double] = []
        for rate in [200, 200, 5, 5, 5, 300] as [Int64] {
            read(&attempt, from: &done, total: total, rate: rate * megabyte, seconds: 1, now: &now)
            values.append(attempt.estimate(now: now).progress)
        }
        for step in LoadStep.allCases.dropFirst(5) {
            now = now.advanced(by: .seconds(1))
            attempt.stepStarted(step, now: now)
            values.append(attempt.estimate(now: now).progress)
        }
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }, "\(values)")
        #expect(values.last.map { $0 > 0.5 && $0 <= 1 } == true)
    }

    @Test("when the ETA is right the bar is the elapsed fraction of the load")
    func barIsElapsedFraction() {
        let total = 1_000 * megabyte
        var (attempt, now) = attemptAtStep5(weightBytes: total)
        var done: Int64 = 0
        read(&attempt, from: &done, total: total, rate: 100 * megabyte, seconds: 5, now: &now)
        // 0.4 s of steps 1-4 and 5 s of reading done; 5 s of reading and 10 s of CPU left.
        let progress = attempt.estimate(now: now).progress
        #expect(abs(progress - 5.4 / 20.4) < 0.01, "\(progress)")
    }

    @Test("CPU steps slower than expected stretch the CPU steps after them")
    func slowCPUStretchesLaterSteps() {
        let total = 1_000 * megabyte
        var (attempt, now) = attemptAtStep5(weightBytes: total)
        var done: Int64 = 0
        read(&attempt, from: &done, total: total, rate: 500 * megabyte, seconds: 2, now: &now)
        attempt.stepStarted(.loadComplete, now: now)
        now = now.advanced(by: .seconds(4)) // expected 2 s: twice as slow
        attempt.stepStarted(.moveToDevice, now: now)
        // Steps 7-9 expected 8 s, at twice the cost: 16 s.
        #expect(attempt.estimate(now: now).etaSeconds == 16)
        // Step 7 overruns its stretched 8 s: at 12 s, steps 6-7 ran 16 s for 6 expected, so
        // steps 8-9 (4 s expected) take 4 × 16 / 6 ≈ 10.7 s.
        now = now.advanced(by: .seconds(12))
        #expect(attempt.estimate(now: now).etaSeconds == 11)
    }

    @Test("the model's own history wins over what other models taught")
    func ownHistoryWins() {
        let own = ETAHistory.Entry(stepSeconds: [1, 1, 1, 1, 10, 1, 1, 1, 1], weightBytes: 1_000 * megabyte)
        let estimator = LoadEstimator(history: own, profile: profile)
        #expect(estimator.hasHistory)
        #expect(estimator.remainingSeconds(.init(step: .initialize, stepElapsed: 0, attemptElapsed: 0)) == 18)
    }

    @Test("the profile learnt from other models: fixed steps averaged, per-byte steps by total bytes")
    func profileLearning() {
        let small = ETAHistory.Entry(stepSeconds: [0.1, 0.4, 0, 0, 1, 0, 1, 1, 0.1], weightBytes: 100 * megabyte)
        let large = ETAHistory.Entry(stepSeconds: [0.3, 0.6, 0, 0, 4, 0, 8, 4, 0.3], weightBytes: 900 * megabyte)
        let unsized = ETAHistory.Entry(stepSeconds: [9, 9, 9, 9, 9, 9, 9, 9, 9], weightBytes: nil)
        let learnt = StepCostProfile(learningFrom: [small, large, unsized])
        #expect(learnt.map { abs($0.seconds(of: .loadTokenizer, weightBytes: 0) - 0.5) < 1e-12 } == true)
        #expect(learnt.map { abs($0.seconds(of: .moveToDevice, weightBytes: 1_000 * megabyte) - 9) < 1e-9 } == true)
        #expect(learnt.map { abs($0.seconds(of: .loadWeights, weightBytes: 500 * megabyte) - 2.5) < 1e-9 } == true)
        #expect(StepCostProfile(learningFrom: [unsized]) == nil)
    }

    @Test("the bar waits for an I/O step's first measured rate instead of jumping ahead on a guess")
    func barWaitsForRate() {
        let total = 1_000 * megabyte
        var (attempt, now) = attemptAtStep5(weightBytes: total)
        let atStart = attempt.estimate(now: now).progress
        var done: Int64 = 0
        // A 10 MB/s read: 100 s, where the machine's usual rate says 1 s.
        read(&attempt, from: &done, total: total, rate: 10 * megabyte, seconds: 0.2, now: &now)
        #expect(attempt.estimate(now: now).progress == atStart)
        read(&attempt, from: &done, total: total, rate: 10 * megabyte, seconds: 1, now: &now)
        let measured = attempt.estimate(now: now).progress
        // 1.6 s done of about 1.6 + 98.8 + 10.
        #expect(measured > atStart && measured < 0.02, "\(measured)")
    }

    @Test("a CPU step that reports its work is estimated from its own pace, and so are the CPU steps after it")
    func cpuStepPace() {
        let total = 1_000 * megabyte
        var (attempt, now) = attemptAtStep5(weightBytes: total)
        var done: Int64 = 0
        read(&attempt, from: &done, total: total, rate: 500 * megabyte, seconds: 2, now: &now)
        attempt.stepStarted(.loadComplete, now: now)
        now = now.advanced(by: .seconds(2)) // as expected
        attempt.stepStarted(.moveToDevice, now: now)
        now = now.advanced(by: .seconds(2))
        attempt.workReported(done: 25, total: 100, now: now)
        // Step 7 projects 8 s (expected 4): 6 s left, and steps 8-9 (4 s expected) stretch by
        // (2 + 8) / (2 + 4): 6.7 s.
        #expect(attempt.estimate(now: now).etaSeconds == 13)
        now = now.advanced(by: .seconds(4))
        attempt.workReported(done: 75, total: 100, now: now)
        #expect(attempt.estimate(now: now).etaSeconds == 9)
    }
}
