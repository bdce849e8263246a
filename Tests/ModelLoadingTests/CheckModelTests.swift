import ModelFormats
import ModelLoading
import ModelRuntime
import Testing

struct CheckModelTests {
    private let runtimes: [String: any ModelRuntimeFactory] = ["fake-embedding": FakeRuntimeFactory()]

    @Test("a good folder passes steps 1 to 6, each with its message, facts and a duration")
    func goodFolderPassesSixSteps() throws {
        let weights = WeightsFixture.singleTensor(shape: [4, 8])
        let digest = SHA256Digest.hex(SHA256Digest.hash(weights))
        let folder = try ModelFolder(weights: weights, manifest: "runtime: fake-embedding\nfiles:\n  model.safetensors: {sha256: \(digest)}\n")
        defer { folder.repository.remove() }
        let report = CheckModel.run(directory: folder.path, runtimes: runtimes, cacheDirectory: nil)
        #expect(report.isValid)
        #expect(report.modelID == "fake")
        #expect(report.steps.map(\.number) == Array(1...6))
        #expect(report.steps.map(\.message) == CheckModel.steps.map(\.message))
        #expect(report.steps.allSatisfy { $0.status == .ok && $0.duration >= .zero })
        #expect(report.steps[3].facts.contains { $0.key == "tensors" && $0.value == "1" })
        #expect(report.steps[4].facts.contains { $0.key == "sha256" && $0.value == "verified" })
    }

    @Test("a broken file stops the check at the failing step with its error")
    func brokenFileStopsAtStep() throws {
        let folder = try ModelFolder(weights: WeightsFixture.singleTensor(shape: [4, 8], dtype: "Q4"))
        defer { folder.repository.remove() }
        let report = CheckModel.run(directory: folder.path, runtimes: runtimes, cacheDirectory: nil)
        #expect(!report.isValid)
        #expect(report.steps.map(\.status) == [.ok, .ok, .ok, .failed])
        #expect(report.error?.code == "unknown_dtype")
    }

    @Test("a bad manifest or a missing folder fails step 1")
    func badManifestFailsStepOne() throws {
        let folder = try ModelFolder(weights: WeightsFixture.singleTensor(shape: [4, 8]), manifest: "runtime: fake-embedding\nload: later\n")
        defer { folder.repository.remove() }
        let report = CheckModel.run(directory: folder.path, runtimes: runtimes, cacheDirectory: nil)
        #expect(report.steps.map(\.step) == [.initialize])
        #expect(report.error?.code == "manifest_invalid")
        let missing = CheckModel.run(directory: folder.path + "/nope", runtimes: runtimes, cacheDirectory: nil)
        #expect(missing.error?.code == "file_not_found")
    }
}
