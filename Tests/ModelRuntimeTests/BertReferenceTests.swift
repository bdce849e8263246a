#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ModelFormats
import Testing
@testable import ModelRuntime

/// The encoder against sentence-transformers on PyTorch, on the real all-MiniLM-L6-v2.
/// Serialized: the model (and the scratch it keeps between passes) is shared by the suite.
@Suite(.serialized, .enabled(if: BertTestModel.directory != nil, BertTestModel.skipReason))
struct BertReferenceTests {
    let model: BertEmbeddingModel
    let fixture: BertReferenceFixture

    init() throws {
        model = try #require(BertTestModel.loaded).get()
        fixture = try BertReferenceFixture.load()
    }

    @Test("the model reports MiniLM's dimension, sequence limit and resident weights")
    func modelReportsShape() {
        #expect(model.dimension == 384)
        #expect(model.maxSequenceLength == fixture.maxSeqLength)
        #expect(model.runtimeName == "bert-embedding")
        // 22.7 M parameters in f32, plus the fused copies' padding: about 87 MiB.
        #expect(model.residentBytes > 80_000_000 && model.residentBytes < 100_000_000)
    }

    // One padded batch of every case: debug builds run the scalar kernel, so each pass over
    // the fixture's ~900 tokens costs seconds; the tiny-model tests cover padding on their own.
    @Test("texts go through the tokenizer to the reference ids, then to embeddings with cosine ≥ 0.9999")
    func textsMatchReference() throws {
        let texts = fixture.cases.map(\.text)
        let maxLength = model.maxSequenceLength
        let batch = try #require(model.tokenizer).encodeBatch(texts, maxLength: maxLength)
        #expect(TokenBatch(unpadded: fixture.cases.map(\.ids)) == batch)
        let result = try model.embed(texts)
        #expect(result.tokenCount == fixture.cases.reduce(0) { $0 + $1.ids.count })
        for (vector, reference) in zip(result.vectors, fixture.cases) {
            let similarity = BertReferenceFixture.cosine(vector, reference.embedding)
            #expect(similarity >= 0.9999, "\(reference.text.prefix(40)): cosine \(similarity)")
        }
    }

    @Test("tokenize gives the reference ids, and the rows embedded in two passes match the reference")
    func tokenizedRowsInSeveralPassesMatchReference() throws {
        let rows = try fixture.cases.map { try model.tokenize($0.text) }
        #expect(rows == fixture.cases.map(\.ids))
        let half = rows.count / 2
        let vectors = try model.embed(tokenized: Array(rows[..<half])).vectors + model.embed(tokenized: Array(rows[half...])).vectors
        #expect(vectors.count == fixture.cases.count)
        for (vector, reference) in zip(vectors, fixture.cases) {
            let similarity = BertReferenceFixture.cosine(vector, reference.embedding)
            #expect(similarity >= 0.9999, "\(reference.text.prefix(40)): cosine \(similarity)")
        }
        // hidden 384, intermediate 1536: 6 × 384 + 1536 floats of scratch, 3 Int32 ids and an Int index.
        #expect(model.scratchBytesPerToken == (6 * 384 + 1536) * 4 + 3 * 4 + 8)
    }

    @Test("a pass on scratch a larger pass left dirty (here: all NaN) gives the reference vectors")
    func passOnDirtyKeptScratchMatchesReference() throws {
        let shortest = try #require(fixture.cases.min { $0.ids.count < $1.ids.count })
        let poisoned = BertScratch(rows: shortest.ids.count + 32, configuration: model.encoder.configuration)
        for buffer in [poisoned.hidden, poisoned.queryKeyValue, poisoned.context, poisoned.projected, poisoned.inner] {
            buffer.pointer.update(repeating: .nan, count: buffer.count)
        }
        _ = model.encoder.scratchCache.take(rows: 0, configuration: model.encoder.configuration)  // drop what is kept
        model.encoder.scratchCache.give(poisoned)
        let vector = try #require(model.embed(tokenized: [shortest.ids]).vectors.first)
        // The pass took the poisoned scratch (and gave it back), and read nothing it had not written.
        let kept = model.encoder.scratchCache.take(rows: 0, configuration: model.encoder.configuration)
        #expect(kept.hidden === poisoned.hidden)
        #expect(!vector.contains { $0.isNaN })
        #expect(BertReferenceFixture.cosine(vector, shortest.embedding) >= 0.9999)
    }

    @Test("a token id past the vocabulary is refused with invalid_input")
    func outOfVocabularyIdIsRefused() {
        let batch = TokenBatch(unpadded: [[101, 40_000, 102]])
        let error = #expect(throws: ModelRuntimeError.self) { try model.embed(tokenBatch: batch) }
        #expect(error?.code == "invalid_input")
    }
}

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

/// `Fixtures/minilm_reference.json`: Hugging Face token ids and sentence-transformers
/// embeddings written by `Tests/e2e/tools/reference_embeddings.py`.
struct BertReferenceFixture: Decodable {
    struct Case: Decodable {
        var text: String
        var ids: [Int32]
        var embedding: [Float]
    }

    var maxSeqLength: Int
    var cases: [Case]

    static func load() throws -> BertReferenceFixture {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/minilm_reference.json")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(BertReferenceFixture.self, from: Data(contentsOf: path))
    }

    /// Cosine similarity of two vectors of equal length.
    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, normA: Float = 0, normB: Float = 0
        for index in a.indices {
            dot += a[index] * b[index]
            normA += a[index] * a[index]
            normB += b[index] * b[index]
        }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }
}
