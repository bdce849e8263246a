import Foundation
@testable import ModelLoading
import Testing

/// A first load whose weights download at step 3 (a hub or URL model): the bar moves with the
/// measured download instead of standing at 0 until it is over.
struct DownloadProgressTests {
    private let t0 = ContinuousClock.now
    private let megabyte: Int64 = 1_000_000
    private let profile = StepCostProfile(fixedSeconds: [0.1, 0.1, 0.1, 0.1, 0, 0, 0, 0, 0],
                                          secondsPerByte: [0, 0, 0, 0, 1e-9, 2e-9, 4e-9, 2e-9, 2e-9])

    @Test("without a history, a step-3 download with a measured rate moves the bar by elapsed over elapsed plus ETA")
    func barFollowsDownload() {
        var attempt = AttemptProgress(estimator: LoadEstimator(history: nil, profile: profile), now: t0)
        var now = t0
        attempt.stepStarted(.initialize, now: now)
        now = now.advanced(by: .milliseconds(100))
        attempt.stepStarted(.loadTokenizer, now: now)
        now = now.advanced(by: .milliseconds(100))
        attempt.stepStarted(.checkCache, now: now)
        let total = 100 * megabyte
        var done: Int64 = 0
        // 10 MB/s: no rate measured after 0.1 s, so the bar still waits.
        for _ in 0..<10 {
            now = now.advanced(by: .milliseconds(10))
            done += 100_000
            _ = attempt.bytesReported(loaded: done, total: total, now: now)
        }
        #expect(attempt.estimate(now: now).progress == 0)
        for _ in 0..<290 {
            now = now.advanced(by: .milliseconds(10))
            done += 100_000
            _ = attempt.bytesReported(loaded: done, total: total, now: now)
        }
        let (progress, eta) = attempt.estimate(now: now)
        // 3.2 s elapsed; 70 MB left at 10 MB/s is 7 s, then 0.1 s + 1.2 s of later steps.
        #expect(eta == 8)
        #expect(abs(progress - 3.2 / (3.2 + 8.3)) < 0.02, "\(progress)")
    }

    @Test("a step 1-4 without a history and without a measured transfer still waits")
    func stillWaitsWithoutTransfer() {
        var attempt = AttemptProgress(estimator: LoadEstimator(history: nil, profile: profile),
                                      weightBytes: 1_000 * megabyte, now: t0)
        attempt.stepStarted(.checkCache, now: t0)
        #expect(attempt.estimate(now: t0.advanced(by: .seconds(1))).progress == 0)
    }
}
