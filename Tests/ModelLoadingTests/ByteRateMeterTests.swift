@testable import ModelLoading
import Testing

struct ByteRateMeterTests {
    private let t0 = ContinuousClock.now

    @Test("no rate until the samples span 300 ms, then bytes over time")
    func firstRate() {
        var meter = ByteRateMeter(now: t0)
        meter.record(bytes: 1_000, now: t0.advanced(by: .milliseconds(100)))
        #expect(meter.bytesPerSecond == nil)
        meter.record(bytes: 4_000, now: t0.advanced(by: .milliseconds(400)))
        #expect(meter.bytesPerSecond.map { abs($0 - 10_000) < 1e-6 } == true)
    }

    @Test("only the last two seconds count")
    func window() {
        var meter = ByteRateMeter(now: t0)
        var bytes: Int64 = 0
        for tick in 1...100 { // 5 s at 1,000 B per 50 ms, then 5 s at 100 B per 50 ms
            bytes += tick <= 50 ? 1_000 : 100
            meter.record(bytes: bytes, now: t0.advanced(by: .milliseconds(50 * tick)))
        }
        let rate = meter.bytesPerSecond ?? 0
        #expect(abs(rate - 2_000) < 150, "\(rate)")
    }

    @Test("a count that goes back starts the measurement afresh")
    func restart() {
        var meter = ByteRateMeter(now: t0)
        meter.record(bytes: 10_000, now: t0.advanced(by: .seconds(1)))
        meter.record(bytes: 10, now: t0.advanced(by: .milliseconds(1_100)))
        #expect(meter.bytesPerSecond == nil)
    }
}
