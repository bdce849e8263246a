import Foundation
import Glibc
import ModelLoading
import Synchronization
import Testing

struct StateFileWriterTests {
    /// Collects the writer's reports.
    private final class Reports: Sendable {
        let all = Mutex<[StateFileWriter.Report]>([])
        var list: [StateFileWriter.Report] { all.withLock { $0 } }
        func writer() -> StateFileWriter { StateFileWriter { report in self.all.withLock { $0.append(report) } } }
    }

    @Test("a write replaces the file whole (a new inode), with exactly the bytes, and leaves no temporary file")
    func atomicReplace() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("state.json", "old")
        let before = try #require(FileIdentity.of(path: path))
        try StateFileWriter().write(Array("new contents".utf8), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("new contents".utf8))
        #expect(FileIdentity.of(path: path)?.inode != before.inode)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["state.json"])
    }

    @Test("failures are reported once per streak, a success after them once, and the target is untouched")
    func reportsOncePerStreak() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let reports = Reports()
        let writer = reports.writer()
        let good = try folder.write("good.json", "kept")
        let bad = folder.path + "/missing/bad.json"
        for _ in 0..<3 {
            #expect(throws: StateFileError.self) { try writer.write(Array("x".utf8), to: bad) }
        }
        #expect(reports.list.count == 1)
        guard case .failing(let path, let reason) = reports.list.first else {
            Issue.record("expected a failing report, got \(reports.list)")
            return
        }
        #expect(path == bad && reason.contains("open failed"))
        try writer.write(Array("fine".utf8), to: good)
        try writer.write(Array("fine".utf8), to: good)
        #expect(reports.list.count == 2 && reports.list.last == .recovered(path: good))
        #expect(throws: StateFileError.self) { try writer.write(Array("x".utf8), to: bad) }
        #expect(reports.list.count == 3)
    }

    @Test("leftover temporary files of dead processes are removed; a live process's and other files are kept")
    func removesLeftovers() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/state.json"
        let dead = "state.json.tmp-2000000000-\(UUID().uuidString)"  // above any pid_max
        let live = "state.json.tmp-\(getpid())-\(UUID().uuidString)"
        for name in [dead, live, "state.json", "other.json.tmp-2000000000-x"] { try folder.write(name, "{") }
        #expect(StateFileWriter.removeLeftovers(of: path) == [dead])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(left == [live, "state.json", "other.json.tmp-2000000000-x"])
    }

    @Test("a torn digest cache is ignored with a reason and replaced by the next record")
    func tornDigestCache() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(DigestCache.fileName, #"{"version":1,"entries":{"/a":{"#)
        let file = try folder.write("w.bin", [1, 2, 3])
        let cache = DigestCache(directory: folder.path)
        #expect(cache.loadIssue?.contains("not a version 1 digest cache") == true)
        #expect(cache.record(path: file, identity: try #require(FileIdentity.of(path: file)), sha256: "ab"))
        let reopened = DigestCache(directory: folder.path)
        #expect(reopened.loadIssue == nil && reopened.lookup(path: file) == "ab")
    }
}
