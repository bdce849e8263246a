import Foundation
import Glibc
import ModelFormats
import ModelLoading
import ModelRuntime
import Synchronization
import Testing

/// A model folder for the fake runtime: config, weights and, optionally, a manifest.
struct ModelFolder {
    let repository: TemporaryFolder
    let path: String
    var weightsPath: String { path + "/model.safetensors" }

    init(weights: [UInt8]?, manifest: String? = "runtime: fake-embedding\n", config: Bool = true) throws {
        repository = try TemporaryFolder()
        path = repository.path + "/fake"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if config { try repository.write("fake/fake-config.json", "{}") }
        if let weights { try repository.write("fake/model.safetensors", weights) }
        if let manifest { try repository.write("fake/model.yaml", manifest) }
    }

    func descriptor() throws -> ModelDescriptor {
        try ModelRepository.describe(folder: path, id: "fake", runtimes: ["fake-embedding": FakeRuntimeFactory()])
    }
}

/// Runs a job's steps in order and records where it stopped.
struct JobRun {
    var failedStep: LoadStep?
    var error: ModelLoadError?
    var reports: [(Int64, Int64)] = []

    static func run(_ job: ModelLoadJob, from first: LoadStep = .initialize, through last: LoadStep = .finalize,
                    cancelled: Bool = false) -> JobRun {
        var outcome = JobRun()
        let reports = Mutex<[(Int64, Int64)]>([])
        let sink = LoadProgressSink(reportBytes: { loaded, total in reports.withLock { $0.append((loaded, total)) } },
                                    isCancelled: { cancelled })
        for step in LoadStep.allCases where (first.number...last.number).contains(step.number) {
            do {
                try job.run(step, progress: sink)
            } catch {
                outcome.failedStep = step
                outcome.error = error
                break
            }
        }
        outcome.reports = reports.withLock { $0 }
        return outcome
    }
}

struct ModelLoadJobTests {
    let counter = SessionCounter()
    var runtimes: [String: any ModelRuntimeFactory] { ["fake-embedding": FakeRuntimeFactory(counter: counter)] }

    func job(_ folder: ModelFolder, cache: DigestCache = DigestCache(directory: nil),
             settings: LoadJobSettings = LoadJobSettings()) throws -> ModelLoadJob {
        ModelLoadJob(descriptor: try folder.descriptor(), runtimes: runtimes, digestCache: cache, settings: settings)
    }

    private func manifest(digestOf bytes: [UInt8]) -> String {
        "runtime: fake-embedding\nfiles:\n  model.safetensors: {sha256: \(SHA256Digest.hex(SHA256Digest.hash(bytes)))}\n"
    }

    @Test("a good model loads through step 9, verifies its digest, frees the raw buffer at step 7 and hands over the model")
    func successThroughStepNine() throws {
        let weights = WeightsFixture.singleTensor(shape: [4, 8])
        let folder = try ModelFolder(weights: weights, manifest: manifest(digestOf: weights))
        defer { folder.repository.remove() }
        let cache = DigestCache(directory: nil)
        let job = try job(folder, cache: cache)

        let outcome = JobRun.run(job, through: .loadComplete)
        #expect(outcome.error == nil)
        #expect(job.holdsWeightsBuffer)
        #expect(outcome.reports.last.map { [$0.0, $0.1] } == [Int64(weights.count), Int64(weights.count)])
        #expect(job.facts[.loadWeights]?.first { $0.key == "sha256" }?.value == "verified")
        #expect(job.facts[.loadComplete]?.first { $0.key == "tensors" }?.value == "1")
        #expect(cache.lookup(path: folder.weightsPath) == SHA256Digest.hex(SHA256Digest.hash(weights)))

        let sink = LoadProgressSink(reportBytes: { _, _ in }, isCancelled: { false })
        try job.run(.moveToDevice, progress: sink)
        #expect(!job.holdsWeightsBuffer)
        try job.run(.applyOptimizations, progress: sink)
        try job.run(.finalize, progress: sink)
        let model = try #require(job.takeLoadedModel() as? FakeLoadedModel)
        #expect(model.checksum == Float((0..<32).reduce(0, +)))
        #expect(model.residentBytes == 128)
        job.release()
        #expect(counter.count == 0)
    }

    @Test("a second load of unchanged weights finds the verified digest in the cache and skips hashing")
    func cacheHitSkipsHashing() throws {
        let weights = WeightsFixture.singleTensor(shape: [4, 8])
        let folder = try ModelFolder(weights: weights, manifest: manifest(digestOf: weights))
        defer { folder.repository.remove() }
        let stateDir = try TemporaryFolder()
        defer { stateDir.remove() }
        let first = try job(folder, cache: DigestCache(directory: stateDir.path))
        #expect(JobRun.run(first).error == nil)
        #expect(first.facts[.checkCache]?.first { $0.key == "digest_cache" }?.value == "miss")

        let second = try job(folder, cache: DigestCache(directory: stateDir.path))
        #expect(JobRun.run(second).error == nil)
        #expect(second.facts[.checkCache]?.first { $0.key == "digest_cache" }?.value == "hit")
        #expect(second.facts[.loadWeights]?.first { $0.key == "sha256" }?.value == "verified_by_cache")
    }

    @Test("weights replaced after a cache hit fail step 5 with file_changed instead of loading unverified")
    func changedAfterCacheHitFails() throws {
        let weights = WeightsFixture.singleTensor(shape: [4, 8])
        let folder = try ModelFolder(weights: weights, manifest: manifest(digestOf: weights))
        defer { folder.repository.remove() }
        let cache = DigestCache(directory: nil)
        #expect(JobRun.run(try job(folder, cache: cache)).error == nil)
        let second = try job(folder, cache: cache)
        #expect(JobRun.run(second, through: .prepareStrategies).error == nil)
        var tampered = weights
        tampered[tampered.count - 1] ^= 0xFF
        try folder.repository.write("fake/model.safetensors.new", tampered)
        #expect(rename(folder.weightsPath + ".new", folder.weightsPath) == 0)
        let outcome = JobRun.run(second, from: .loadWeights)
        #expect(outcome.failedStep == .loadWeights)
        #expect(outcome.error?.code == "file_changed")
    }

    @Test("a weights digest that differs from the manifest fails step 5 with digest_mismatch naming both digests")
    func digestMismatchAtStepFive() throws {
        let weights = WeightsFixture.singleTensor(shape: [4, 8])
        let wrong = String(repeating: "0", count: 64)
        let folder = try ModelFolder(weights: weights, manifest: "runtime: fake-embedding\nfiles:\n  model.safetensors: {sha256: \(wrong)}\n")
        defer { folder.repository.remove() }
        let cache = DigestCache(directory: nil)
        let job = try job(folder, cache: cache)
        let outcome = JobRun.run(job)
        #expect(outcome.failedStep == .loadWeights)
        #expect(outcome.error?.code == "digest_mismatch")
        #expect(outcome.error?.message.contains(wrong) == true)
        #expect(outcome.error?.message.contains(SHA256Digest.hex(SHA256Digest.hash(weights))) == true)
        #expect(!job.holdsWeightsBuffer)
        #expect(cache.lookup(path: folder.weightsPath) == nil)
    }

    @Test("a model larger than the free budget fails step 1 with insufficient_memory and the numbers")
    func insufficientMemoryAtStepOne() throws {
        let folder = try ModelFolder(weights: WeightsFixture.singleTensor(shape: [4, 8]))
        defer { folder.repository.remove() }
        let settings = LoadJobSettings(memoryBudgetBytes: ModelLoadJob.memoryMarginBytes + 1_000, residentBytesInUse: { 900 })
        let outcome = JobRun.run(try job(folder, settings: settings))
        #expect(outcome.failedStep == .initialize)
        #expect(outcome.error?.code == "insufficient_memory")
        #expect(outcome.error?.message.contains("900 in use") == true)
    }

    @Test("cancel during step 5 throws cancelled and holds no buffer; release drops the session")
    func cancelInStepFiveReleases() throws {
        let folder = try ModelFolder(weights: WeightsFixture.singleTensor(shape: [4, 8]))
        defer { folder.repository.remove() }
        let job = try job(folder)
        #expect(JobRun.run(job, through: .prepareStrategies).error == nil)
        #expect(counter.count == 1)
        let sink = LoadProgressSink(reportBytes: { _, _ in }, isCancelled: { true })
        #expect(throws: ModelLoadError.cancelled) { try job.run(.loadWeights, progress: sink) }
        #expect(!job.holdsWeightsBuffer)
        job.release()
        job.release()
        #expect(counter.count == 0 && !job.holdsSession)
    }

    @Test("release after step 5 frees the raw buffer and the runtime session")
    func releaseFreesEverything() throws {
        let folder = try ModelFolder(weights: WeightsFixture.singleTensor(shape: [4, 8]))
        defer { folder.repository.remove() }
        let job = try job(folder)
        #expect(JobRun.run(job, through: .loadWeights).error == nil)
        #expect(job.holdsWeightsBuffer && job.holdsSession)
        job.release()
        #expect(!job.holdsWeightsBuffer && !job.holdsSession && counter.count == 0)
        #expect(job.takeLoadedModel() == nil)
    }
}
