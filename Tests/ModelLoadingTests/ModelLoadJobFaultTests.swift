import Foundation
import ModelLoading
import ModelRuntime
import Testing

/// DESIGN §1.8's model-file faults: each fails at the step that finds it, with its code.
struct ModelLoadJobFaultTests {
    /// One crafted fault: how to break a good folder, and where and how the load must fail.
    struct Fault: Sendable, CustomTestStringConvertible {
        var name: String
        var weights: [UInt8]?
        var manifest: String? = "runtime: fake-embedding\n"
        var config = true
        var step: LoadStep
        var code: String
        var testDescription: String { "\(name) → step \(step.number) \(code)" }
    }

    private static let good = WeightsFixture.singleTensor(shape: [4, 8])
    private static func entry(_ name: String, _ dtype: String, _ shape: [Int], _ offsets: [Int]) -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }
    private static let data = [UInt8](repeating: 0, count: 136)

    static let faults: [Fault] = [
        Fault(name: "unknown runtime", weights: good, manifest: "runtime: nope\n", step: .initialize, code: "unknown_runtime"),
        Fault(name: "file named by the manifest missing", weights: good,
              manifest: "runtime: fake-embedding\nfiles:\n  vocab.txt: {sha256: \(String(repeating: "a", count: 64))}\n",
              step: .initialize, code: "file_not_found"),
        Fault(name: "runtime config missing", weights: good, config: false, step: .loadTokenizer, code: "invalid_config"),
        Fault(name: "weights file missing", weights: nil, step: .prepareStrategies, code: "file_not_found"),
        Fault(name: "empty weights file", weights: [], step: .prepareStrategies, code: "file_too_small"),
        Fault(name: "header length past the end", weights: [0xFF, 0xFF, 0, 0, 0, 0, 0, 0] + Array("{}".utf8),
              step: .prepareStrategies, code: "header_past_end"),
        Fault(name: "header not JSON", weights: WeightsFixture.file(json: "{weight: 1}", data: []),
              step: .prepareStrategies, code: "header_invalid_json"),
        Fault(name: "unknown dtype", weights: WeightsFixture.singleTensor(shape: [4, 8], dtype: "F33"),
              step: .prepareStrategies, code: "unknown_dtype"),
        Fault(name: "out-of-range offsets",
              weights: WeightsFixture.file(json: "{\(entry("weight", "F32", [4, 8], [0, 128])),\(entry("bias", "F32", [2], [1000, 1008]))}", data: data),
              step: .prepareStrategies, code: "offsets_out_of_range"),
        Fault(name: "overlapping offsets",
              weights: WeightsFixture.file(json: "{\(entry("weight", "F32", [4, 8], [0, 128])),\(entry("bias", "F32", [2], [124, 132]))}", data: [UInt8](repeating: 0, count: 132)),
              step: .prepareStrategies, code: "tensors_overlap"),
        Fault(name: "truncated data", weights: Array(good.dropLast(10)), step: .prepareStrategies, code: "file_truncated"),
        Fault(name: "shape that does not match the architecture", weights: WeightsFixture.singleTensor(shape: [8, 4]),
              step: .prepareStrategies, code: "shape_mismatch"),
        Fault(name: "tensor the architecture needs missing",
              weights: WeightsFixture.file(json: "{\(entry("other", "F32", [4, 8], [0, 128]))}", data: [UInt8](repeating: 0, count: 128)),
              step: .prepareStrategies, code: "missing_tensor"),
    ]

    @Test("each model-file fault fails its load at the step that finds it with its specific code", arguments: faults)
    func faultFailsAtItsStep(fault: Fault) throws {
        let folder = try ModelFolder(weights: fault.weights, manifest: fault.manifest, config: fault.config)
        defer { folder.repository.remove() }
        let counter = SessionCounter()
        let job = ModelLoadJob(descriptor: try folder.descriptor(), runtimes: ["fake-embedding": FakeRuntimeFactory(counter: counter)],
                               digestCache: DigestCache(directory: nil), settings: LoadJobSettings())
        let outcome = JobRun.run(job)
        #expect(outcome.failedStep == fault.step, "\(outcome.error?.description ?? "no error")")
        #expect(outcome.error?.code == fault.code, "\(outcome.error?.description ?? "no error")")
        #expect(outcome.error?.message.isEmpty == false)
        job.release()
        #expect(counter.count == 0)
        #expect(!job.holdsWeightsBuffer)
    }

    @Test("a missing model folder fails step 1 with file_not_found")
    func missingFolderAtStepOne() throws {
        let repository = try TemporaryFolder()
        defer { repository.remove() }
        let descriptor = ModelDescriptor(id: "gone", directory: repository.path + "/gone", manifest: ModelManifest(runtime: "fake-embedding"))
        let job = ModelLoadJob(descriptor: descriptor, runtimes: ["fake-embedding": FakeRuntimeFactory()],
                               digestCache: DigestCache(directory: nil), settings: LoadJobSettings())
        let outcome = JobRun.run(job)
        #expect(outcome.failedStep == .initialize)
        #expect(outcome.error?.code == "file_not_found")
    }

    @Test("weights truncated after step 4 fail step 5 with file_truncated")
    func truncatedAfterHeaderAtStepFive() throws {
        let folder = try ModelFolder(weights: WeightsFixture.singleTensor(shape: [4, 8]))
        defer { folder.repository.remove() }
        let job = ModelLoadJob(descriptor: try folder.descriptor(), runtimes: ["fake-embedding": FakeRuntimeFactory()],
                               digestCache: DigestCache(directory: nil), settings: LoadJobSettings())
        #expect(JobRun.run(job, through: .prepareStrategies).error == nil)
        #expect(truncate(folder.weightsPath, 100) == 0)
        let outcome = JobRun.run(job, from: .loadWeights)
        #expect(outcome.failedStep == .loadWeights)
        #expect(outcome.error?.code == "file_truncated")
    }
}
