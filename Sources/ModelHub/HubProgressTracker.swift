/// Counts a pull's bytes and hands `HubProgress` to its observer at most every 100 ms.
struct HubProgressTracker {
    private(set) var progress: HubProgress
    /// Bytes received over the network by this pull.
    private(set) var downloaded: Int64 = 0
    private var meter = HubRateMeter()
    private var lastReport: ContinuousClock.Instant?
    private let start = ContinuousClock.now
    private let report: (HubProgress) -> Void

    init(total: Int64, alreadyLoaded: Int64, report: @escaping (HubProgress) -> Void) {
        progress = HubProgress(file: "", bytesLoaded: alreadyLoaded, bytesTotal: total, bytesPerSecond: 0)
        self.report = report
        publish(force: true)
    }

    /// A file's transfer begins (its partial bytes, if any, are already counted).
    mutating func begin(_ file: HubFile) {
        progress.file = file.path
        publish(force: true)
    }

    /// `count` new bytes arrived.
    mutating func received(_ count: Int) {
        downloaded += Int64(count)
        progress.bytesLoaded = min(progress.bytesTotal, progress.bytesLoaded + Int64(count))
        meter.record(bytes: Int64(count), now: seconds(since: start))
        progress.bytesPerSecond = meter.bytesPerSecond
        publish(force: false)
    }

    /// The resumed bytes of a file were dropped (the hub ignored `Range`, or the partial blob
    /// was larger than the file): they are fetched again, so they count once more in the total
    /// rather than moving `bytesLoaded` backwards.
    mutating func restarted(discarding count: Int64) {
        progress.bytesTotal += count
    }

    /// Another pull holding the file's lock moved its partial blob on by `count` bytes: they
    /// are in the cache (and feed the rate), though this pull did not download them.
    mutating func followed(_ count: Int64) {
        guard count > 0 else { return }
        progress.bytesLoaded = min(progress.bytesTotal, progress.bytesLoaded + count)
        meter.record(bytes: count, now: seconds(since: start))
        progress.bytesPerSecond = meter.bytesPerSecond
        publish(force: false)
    }

    /// Another pull fetched this file meanwhile; `remaining` of its bytes were not counted yet.
    mutating func skip(remaining: Int64) {
        progress.bytesLoaded = min(progress.bytesTotal, progress.bytesLoaded + max(0, remaining))
        publish(force: true)
    }

    /// The pull is done.
    mutating func finish() {
        progress.file = ""
        progress.bytesLoaded = progress.bytesTotal
        publish(force: true)
    }

    private mutating func publish(force: Bool) {
        let now = ContinuousClock.now
        if !force, let last = lastReport, now - last < .milliseconds(100) { return }
        lastReport = now
        report(progress)
    }

    private func seconds(since instant: ContinuousClock.Instant) -> Double {
        let (seconds, attoseconds) = (ContinuousClock.now - instant).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
