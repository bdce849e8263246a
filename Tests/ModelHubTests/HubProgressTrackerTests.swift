@testable import ModelHub
import Testing

/// A pull waiting for another's lock counts the holder's bytes once: followed growth, then
/// only the rest when the holder finished, never past the total.
struct HubProgressTrackerTests {
    @Test("followed bytes and a skip add up to the file exactly once")
    func followThenSkip() {
        var reports: [HubProgress] = []
        let file = HubFile(path: "model.safetensors", size: 1000, etag: String(repeating: "a", count: 64), sha256: nil)
        var tracker = HubProgressTracker(total: 1000, alreadyLoaded: 100) { reports.append($0) }
        tracker.begin(file)
        tracker.followed(300)
        tracker.followed(0)
        #expect(tracker.progress.bytesLoaded == 400)
        tracker.skip(remaining: 1000 - 400)
        #expect(tracker.progress.bytesLoaded == 1000)
        #expect(tracker.downloaded == 0, "the other pull downloaded them")
        #expect(reports.map(\.bytesLoaded) == reports.map(\.bytesLoaded).sorted())
        tracker.followed(50)
        #expect(tracker.progress.bytesLoaded == 1000, "never past the total")
    }
}
