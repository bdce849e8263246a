#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ModelFormats
import Testing
@testable import ModelRuntime

/// Finds and loads the real all-MiniLM-L6-v2 for tests that need it, once per process.
enum BertTestModel {
    /// The first model folder that exists: `$MODELD_TEST_MODEL_DIR`, then
    /// `models/all-minilm-l6-v2` in the package, then `/work/minilm`.
    static let directory: String? = {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let candidates = [ProcessInfo.processInfo.environment["MODELD_TEST_MODEL_DIR"],
                          packageRoot + "/models/all-minilm-l6-v2", "/work/minilm"]
        return candidates.compactMap { $0 }.first {
            FileManager.default.fileExists(atPath: $0 + "/config.json")
        }
    }()

    /// Why model tests are skipped when no folder is found.
    static let skipReason: Comment =
        "no all-MiniLM-L6-v2 folder: set MODELD_TEST_MODEL_DIR or put it in models/all-minilm-l6-v2"

    /// The model taken through steps 2, 4, 7, 8 and 9 exactly as the loader drives them.
    static let loaded: Result<BertEmbeddingModel, ModelRuntimeError>? = directory.map { directory in
        Result { () throws(ModelRuntimeError) in try load(directory: directory) }
    }

    static func load(directory: String) throws(ModelRuntimeError) -> BertEmbeddingModel {
        let session = try BertEmbeddingRuntime().makeSession(directory: directory)
        let path = directory + "/" + session.weightsFileName
        let header: SafetensorsHeader
        let bytes: Data
        do {
            header = try SafetensorsHeader.read(fileAt: path)
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ModelRuntimeError(code: "test_io", message: "\(error)")
        }
        try session.validate(header)
        // withUnsafeBytes rethrows untyped errors; carry the typed one out in a Result.
        try bytes.withUnsafeBytes { raw in
            Result { () throws(ModelRuntimeError) in
                try session.materialize(weights: raw, header: header, isCancelled: { false })
            }
        }.get()
        try session.optimize(isCancelled: { false })
        guard let model = try session.warmUp() as? BertEmbeddingModel else {
            throw ModelRuntimeError(code: "test_type", message: "warm-up did not return a BertEmbeddingModel")
        }
        return model
    }
}
