import ModelHub
import Testing

/// The rate meter measures and smooths; the progress value derives ETA and fraction.
struct HubProgressTests {
    @Test("a steady rate is measured exactly")
    func steadyRate() {
        var meter = HubRateMeter(interval: 0.25, timeConstant: 2)
        meter.record(bytes: 0, now: 0)
        for step in 1...20 { meter.record(bytes: 250_000, now: Double(step) * 0.25) }
        #expect(abs(meter.bytesPerSecond - 1_000_000) < 1)
    }

    @Test("a change of rate is followed smoothly, not jumped to")
    func smoothing() {
        var meter = HubRateMeter(interval: 0.25, timeConstant: 2)
        meter.record(bytes: 0, now: 0)
        for step in 1...8 { meter.record(bytes: 250_000, now: Double(step) * 0.25) }
        meter.record(bytes: 500_000, now: 2.25)
        #expect(meter.bytesPerSecond > 1_000_000 && meter.bytesPerSecond < 1_500_000)
        for step in 10...60 { meter.record(bytes: 500_000, now: Double(step) * 0.25) }
        #expect(abs(meter.bytesPerSecond - 2_000_000) < 20_000)
    }

    @Test("no rate before the first interval closes")
    func noRateYet() {
        var meter = HubRateMeter(interval: 0.25, timeConstant: 2)
        meter.record(bytes: 100, now: 0)
        meter.record(bytes: 100, now: 0.1)
        #expect(meter.bytesPerSecond == 0)
    }

    @Test("ETA is the remaining bytes at the measured rate")
    func eta() {
        #expect(HubProgress(file: "f", bytesLoaded: 25, bytesTotal: 100, bytesPerSecond: 0).etaSeconds == nil)
        #expect(HubProgress(file: "f", bytesLoaded: 25, bytesTotal: 100, bytesPerSecond: 25).etaSeconds == 3)
        #expect(HubProgress(file: "", bytesLoaded: 0, bytesTotal: 0, bytesPerSecond: 0).fraction == 1)
    }
}
