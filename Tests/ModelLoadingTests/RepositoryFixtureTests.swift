import Foundation
import ModelFormats
import ModelLoading
import ModelRuntime
import Synchronization

// Test doubles and folder builders shared by the repository, job and check-model suites.

/// A fresh folder under the system temp dir, removed by `remove()`.
struct TemporaryFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("modeld-steps-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `bytes` to `name` inside the folder (parents created) and returns the path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Builds safetensors bytes: a little-endian length, the JSON header, then the data.
enum WeightsFixture {
    static func file(json: String, data: [UInt8]) -> [UInt8] {
        let header = Array(json.utf8)
        let length = UInt64(header.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + header + data
    }

    /// One F32 tensor `weight` of `shape` filled with 0, 1, 2, ... as floats.
    static func singleTensor(shape: [Int], dtype: String = "F32") -> [UInt8] {
        let count = shape.reduce(1, *)
        let data = (0..<count).flatMap { value -> [UInt8] in
            let bits = Float(value).bitPattern
            return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
        }
        return file(json: "{\"weight\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[0,\(data.count)]}}", data: data)
    }
}

/// Counts live sessions, so tests can see `release()` drop the runtime's session.
final class SessionCounter: Sendable {
    private let live = Mutex(0)
    var count: Int { live.withLock { $0 } }
    func add(_ delta: Int) { live.withLock { $0 += delta } }
}

/// A runtime double: expects one F32 tensor `weight` of `expectedShape`, reads
/// `fake-config.json` at step 2, and copies the tensor into floats at step 7.
struct FakeRuntimeFactory: ModelRuntimeFactory {
    var name = "fake-embedding"
    var expectedShape = [4, 8]
    var counter = SessionCounter()

    func recognizes(directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/fake-config.json")
    }

    func makeSession(directory: String) throws(ModelRuntimeError) -> any ModelLoadSession {
        guard FileManager.default.isReadableFile(atPath: directory + "/fake-config.json") else {
            throw ModelRuntimeError(code: "invalid_config", message: "fake-config.json is missing")
        }
        return FakeSession(expectedShape: expectedShape, counter: counter)
    }
}

final class FakeSession: ModelLoadSession {
    let expectedShape: [Int]
    let counter: SessionCounter
    var floats: [Float] = []

    init(expectedShape: [Int], counter: SessionCounter) {
        self.expectedShape = expectedShape
        self.counter = counter
        counter.add(1)
    }

    deinit { counter.add(-1) }

    var summary: [(key: String, value: String)] { [("expected_shape", "\(expectedShape)")] }
    var weightsFileName: String { "model.safetensors" }

    func validate(_ header: SafetensorsHeader) throws(ModelRuntimeError) {
        guard let tensor = header.tensor(named: "weight") else {
            throw ModelRuntimeError(code: "missing_tensor", message: "tensor 'weight' is missing")
        }
        guard tensor.shape == expectedShape else {
            throw ModelRuntimeError(code: "shape_mismatch", message: "tensor 'weight' has shape \(tensor.shape), expected \(expectedShape)")
        }
    }

    func materialize(weights: UnsafeRawBufferPointer, header: SafetensorsHeader, isCancelled: () -> Bool) throws(ModelRuntimeError) {
        let range = header.tensor(named: "weight")!.dataRange
        floats = stride(from: range.lowerBound, to: range.upperBound, by: 4).map {
            Float(bitPattern: weights.loadUnaligned(fromByteOffset: $0, as: UInt32.self))
        }
    }

    func optimize(isCancelled: () -> Bool) throws(ModelRuntimeError) {}

    func warmUp() throws(ModelRuntimeError) -> any LoadedModel {
        FakeLoadedModel(runtimeName: "fake-embedding", residentBytes: floats.count * 4, checksum: floats.reduce(0, +))
    }
}

struct FakeLoadedModel: LoadedModel {
    let runtimeName: String
    let residentBytes: Int
    let checksum: Float
}
