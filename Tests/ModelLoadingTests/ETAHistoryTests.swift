import Foundation
@testable import ModelLoading
import Testing

/// A fresh temporary directory per test, removed at the end.
private final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "/eta-history-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var historyPath: String { path + "/" + ETAHistory.fileName }
}

private let timings = LoadTimings(stepSeconds: [0.1, 0.2, 0.05, 0.3, 4.0, 0.01, 1.5, 0.7, 0.4])

struct ETAHistoryTests {
    @Test("recorded step durations survive a restart")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        ETAHistory(stateDirectory: directory.path).record(timings, for: "minilm")
        let reopened = ETAHistory(stateDirectory: directory.path)
        #expect(reopened.stepSeconds(for: "minilm") == timings.stepSeconds)
        #expect(reopened.stepSeconds(for: "other") == nil)
        #expect(reopened.loadIssue == nil)
    }

    @Test("a write replaces the file whole and leaves no temporary file behind")
    func atomicWrite() throws {
        let directory = try TemporaryDirectory()
        let history = ETAHistory(stateDirectory: directory.path)
        history.record(timings, for: "a")
        let before = try FileManager.default.attributesOfItem(atPath: directory.historyPath)[.systemFileNumber] as? Int
        history.record(timings, for: "b")
        let after = try FileManager.default.attributesOfItem(atPath: directory.historyPath)[.systemFileNumber] as? Int
        // rename(2) puts a new inode in place; an in-place rewrite would keep the old one.
        #expect(before != nil && before != after)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [ETAHistory.fileName])
        #expect(history.lastWriteError == nil)
        let reopened = ETAHistory(stateDirectory: directory.path)
        #expect(reopened.stepSeconds(for: "a") != nil && reopened.stepSeconds(for: "b") != nil)
    }

    @Test("a corrupt file is ignored, reported, and replaced by the next write")
    func corruptFileIgnored() throws {
        let directory = try TemporaryDirectory()
        try Data("{\"version\":1,\"models\":{\"a\":".utf8).write(to: URL(fileURLWithPath: directory.historyPath))
        let history = ETAHistory(stateDirectory: directory.path)
        #expect(history.loadIssue != nil)
        #expect(history.stepSeconds(for: "a") == nil)
        history.record(timings, for: "a")
        let reopened = ETAHistory(stateDirectory: directory.path)
        #expect(reopened.loadIssue == nil)
        #expect(reopened.stepSeconds(for: "a") == timings.stepSeconds)
    }

    @Test("entries without nine finite non-negative durations are dropped")
    func invalidEntriesDropped() throws {
        let directory = try TemporaryDirectory()
        let json = #"{"version":1,"models":{"short":{"step_seconds":[1,2]},"neg":{"step_seconds":[1,1,1,1,-1,1,1,1,1]},"ok":{"step_seconds":[1,1,1,1,1,1,1,1,1]}}}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: directory.historyPath))
        let history = ETAHistory(stateDirectory: directory.path)
        #expect(history.stepSeconds(for: "ok")?.count == 9)
        #expect(history.stepSeconds(for: "short") == nil)
        #expect(history.stepSeconds(for: "neg") == nil)
    }

    @Test("a state directory that cannot be written keeps the history in memory and reports the error")
    func unwritableDirectory() {
        let history = ETAHistory(stateDirectory: "/nonexistent-\(UUID().uuidString)")
        history.record(timings, for: "a")
        #expect(history.stepSeconds(for: "a") == timings.stepSeconds)
        #expect(history.lastWriteError != nil)
    }

    @Test("a successful load records its step durations for the next load's ETA")
    func loaderRecordsHistory() async throws {
        let directory = try TemporaryDirectory()
        let jobs = JobFactory()
        let loader = ModelLoader(makeJob: { jobs.makeJob($0) }, history: ETAHistory(stateDirectory: directory.path))
        await loader.setModels([ModelDescriptor(id: "a", directory: "/m/a", manifest: ModelManifest(runtime: "test"))])
        _ = await loader.load("a")
        #expect(await loader.waitForOutcome("a")?.state == .ready)
        #expect(loader.history.stepSeconds(for: "a")?.count == LoadStep.total)
        // The file is written by the load thread just after the model turns ready.
        #expect(await eventually { ETAHistory(stateDirectory: directory.path).stepSeconds(for: "a") != nil })
    }

    @Test("a version 1 file (no weight sizes) still estimates its models, teaches nothing per byte, and is rewritten as version 2")
    func versionOneStillRead() throws {
        let directory = try TemporaryDirectory()
        let json = #"{"version":1,"models":{"old":{"step_seconds":[1,1,1,1,1,1,1,1,1]}}}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: directory.historyPath))
        let history = ETAHistory(stateDirectory: directory.path)
        #expect(history.loadIssue == nil)
        #expect(history.entry(for: "old") == ETAHistory.Entry(stepSeconds: [1, 1, 1, 1, 1, 1, 1, 1, 1], weightBytes: nil))
        #expect(history.profile(excluding: "new") == nil)
        history.record(timings, weightBytes: 1_000, for: "new")
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.historyPath)))
        #expect((written as? [String: Any])?["version"] as? Int == 2)
        let reopened = ETAHistory(stateDirectory: directory.path)
        #expect(reopened.entry(for: "new")?.weightBytes == 1_000)
        #expect(reopened.entry(for: "old")?.stepSeconds.count == 9)
        #expect(reopened.profile(excluding: "other") != nil)
        #expect(reopened.profile(excluding: "new") == nil)
    }

    @Test("a load records the size of the model's weights, which prices the first load of another model")
    func loaderRecordsWeightBytes() async throws {
        let directory = try TemporaryDirectory()
        for (model, bytes) in [("a", 4_096), ("b", 1_024)] {
            let folder = directory.path + "/" + model
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(count: bytes).write(to: URL(fileURLWithPath: folder + "/model.safetensors"))
            try Data(count: 10).write(to: URL(fileURLWithPath: folder + "/vocab.txt"))
        }
        let jobs = JobFactory()
        let loader = ModelLoader(makeJob: { jobs.makeJob($0) }, history: ETAHistory(stateDirectory: nil))
        await loader.setModels(["a", "b"].map {
            ModelDescriptor(id: $0, directory: directory.path + "/" + $0, manifest: ModelManifest(runtime: "test"))
        })
        #expect(loader.history.profile(excluding: "b") == nil)
        _ = await loader.load("a")
        #expect(await loader.waitForOutcome("a")?.state == .ready)
        #expect(loader.history.entry(for: "a")?.weightBytes == 4_096)
        #expect(loader.history.profile(excluding: "b") != nil)
        #expect(loader.history.profile(excluding: "a") == nil)
    }
}
