import ModelFormats
import Testing
@testable import ModelRuntime

/// Steps 4 to 9 on a crafted tiny model: header checks name the bad tensor, every accepted
/// dtype converts to the same weights, cancellation and step order are enforced.
struct BertWeightsValidationTests {
    static let queryWeight = "encoder.layer.0.attention.self.query.weight"

    func validate(_ model: BertTinyModel) throws(ModelRuntimeError) {
        let header: SafetensorsHeader
        do { header = try model.header() } catch { throw ModelRuntimeError(code: "bad_fixture", message: "\(error)") }
        try BertTinyModel.makeSession().validate(header)
    }

    @Test("a complete header passes, with or without the bert. prefix")
    func completeHeaderPasses() throws {
        try validate(BertTinyModel())
        try validate(BertTinyModel(prefix: "bert."))
    }

    @Test("a missing tensor fails with missing_tensor naming it")
    func missingTensor() {
        let model = BertTinyModel(omitted: [Self.queryWeight])
        #expect(throws: ModelRuntimeError.missingTensor(Self.queryWeight)) { try validate(model) }
    }

    @Test("a wrong shape fails with shape_mismatch naming the tensor and both shapes")
    func wrongShape() {
        let model = BertTinyModel(prefix: "bert.", shapeOverrides: [Self.queryWeight: [4, 3]])
        #expect(throws: ModelRuntimeError.shapeMismatch("bert." + Self.queryWeight, expected: [4, 4], actual: [4, 3])) {
            try validate(model)
        }
    }

    @Test("an integer tensor fails with unsupported_dtype naming it")
    func wrongDType() {
        let model = BertTinyModel(dtypeOverrides: [BertTensorNames.wordEmbeddings: .i32])
        #expect(throws: ModelRuntimeError.unsupportedDType(BertTensorNames.wordEmbeddings, dtype: "I32")) {
            try validate(model)
        }
    }

    @Test("F32, F16 and BF16 files of the same values give identical unit-length embeddings")
    func dtypesAgree() throws {
        let batch = TokenBatch(unpadded: [[1, 5, 7, 2], [1, 3, 2]])
        let results = try [SafetensorsDType.f32, .f16, .bf16].map { dtype in
            try BertTinyModel(dtype: dtype).load().embed(tokenBatch: batch).vectors
        }
        #expect(results[0] == results[1])
        #expect(results[0] == results[2])
        for vector in results[0] {
            #expect(vector.allSatisfy { $0.isFinite })
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
        }
    }

    @Test("a sentence embeds the same alone and padded next to a longer one")
    func paddingDoesNotLeak() throws {
        let model = try BertTinyModel().load()
        let alone = try model.embed(tokenBatch: TokenBatch(unpadded: [[1, 3, 2]])).vectors[0]
        let padded = try model.embed(tokenBatch: TokenBatch(unpadded: [[1, 5, 7, 6, 2], [1, 3, 2]])).vectors[1]
        #expect(zip(alone, padded).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test("materialize stops with cancelled when the load is cancelled")
    func materializeCancels() throws {
        let session = BertTinyModel.makeSession()
        let file = BertTinyModel().bytes()
        let header = try SafetensorsHeader.parse(prefix: file, fileSize: file.count)
        try session.validate(header)
        #expect(throws: ModelRuntimeError.cancelled) {
            try file.withUnsafeBytes { raw in
                try session.materialize(weights: raw, header: header, isCancelled: { true })
            }
        }
    }

    @Test("steps 7 and 8 report how far they are, rising to their total")
    func materializeAndOptimizeReportWork() throws {
        let session = BertTinyModel.makeSession()
        let file = BertTinyModel().bytes()
        let header = try SafetensorsHeader.parse(prefix: file, fileSize: file.count)
        try session.validate(header)
        var step7: [(Int64, Int64)] = []  // one report per tensor
        try file.withUnsafeBytes { raw in
            try session.materialize(weights: raw, header: header, isCancelled: { false }, progress: { step7.append(($0, $1)) })
        }
        var step8: [(Int64, Int64)] = []  // one per layer (the tiny model has one)
        try session.optimize(isCancelled: { false }, progress: { step8.append(($0, $1)) })
        for reports in [step7, step8] {
            #expect(!reports.isEmpty)
            #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.0 < $1.0 && $0.1 == $1.1 })
            #expect(reports.last.map { $0.0 == $0.1 && $0.1 > 0 } == true)
        }
    }

    @Test("weights shorter than the header's ranges fail with truncated_weights")
    func truncatedWeights() throws {
        let session = BertTinyModel.makeSession()
        let file = BertTinyModel().bytes()
        let header = try SafetensorsHeader.parse(prefix: file, fileSize: file.count)
        try session.validate(header)
        let error = #expect(throws: ModelRuntimeError.self) {
            try Array(file.dropLast(4)).withUnsafeBytes { raw in
                try session.materialize(weights: raw, header: header, isCancelled: { false })
            }
        }
        #expect(error?.code == "truncated_weights")
    }

    @Test("optimize and warm-up before their inputs exist fail with step_out_of_order")
    func stepsOutOfOrder() {
        let session = BertTinyModel.makeSession()
        #expect(throws: ModelRuntimeError.self) { try session.optimize(isCancelled: { false }) }
        #expect(throws: ModelRuntimeError.self) { _ = try session.warmUp() }
    }
}

/// A tiny BERT (hidden 4, 2 heads, 1 layer) written as safetensors bytes in memory, for
/// tests of steps 4 to 9 that must not depend on the real model.
struct BertTinyModel {
    static let configuration = BertConfiguration(
        hiddenSize: 4, layerCount: 1, headCount: 2, intermediateSize: 8, maxPositionEmbeddings: 8,
        typeVocabularySize: 2, vocabularySize: 10, layerNormEpsilon: 1e-12, pooling: .mean,
        normalizes: true, maxSequenceLength: 8)

    /// What to write for each tensor (the default is the expected dtype and shape).
    var dtype: SafetensorsDType = .f32
    var prefix = ""
    var omitted: Set<String> = []
    var shapeOverrides: [String: [Int]] = [:]
    var dtypeOverrides: [String: SafetensorsDType] = [:]

    /// The file's bytes: header then every tensor, values `(i % 17 − 8) / 64`, which f16 and
    /// bf16 hold exactly.
    func bytes() -> [UInt8] {
        var entries: [String] = []
        var data: [UInt8] = []
        for expected in BertTensorNames.expected(for: Self.configuration) where !omitted.contains(expected.name) {
            let shape = shapeOverrides[expected.name] ?? expected.shape
            let type = dtypeOverrides[expected.name] ?? dtype
            let count = shape.reduce(1, *)
            let begin = data.count
            for index in 0..<count {
                data += Self.encode(Float(index % 17 - 8) / 64, as: type)
            }
            let name = prefix + expected.name
            entries.append("\"\(name)\":{\"dtype\":\"\(type.rawValue)\",\"shape\":\(shape),\"data_offsets\":[\(begin),\(data.count)]}")
        }
        var json = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        // Pad with spaces to a multiple of 8 so the data starts aligned, as writers do.
        while json.count % 8 != 0 { json.append(0x20) }
        var length = UInt64(json.count)
        var prefix: [UInt8] = []
        for _ in 0..<8 {
            prefix.append(UInt8(length & 0xFF))
            length >>= 8
        }
        return prefix + json + data
    }

    func header() throws -> SafetensorsHeader {
        let file = bytes()
        return try SafetensorsHeader.parse(prefix: file, fileSize: file.count)
    }

    static func encode(_ value: Float, as type: SafetensorsDType) -> [UInt8] {
        let bits: UInt64
        let width: Int
        switch type {
        case .f16:
            bits = UInt64(Float16(value).bitPattern)
            width = 2
        case .bf16:
            bits = UInt64(value.bitPattern >> 16)
            width = 2
        case .i32:
            bits = UInt64(UInt32(bitPattern: Int32(value * 64)))
            width = 4
        default:
            bits = UInt64(value.bitPattern)
            width = 4
        }
        return (0..<width).map { UInt8((bits >> (8 * UInt64($0))) & 0xFF) }
    }

    /// A session over the tiny configuration, as step 2 would return it.
    static func makeSession() -> BertLoadSession {
        BertLoadSession(configuration: configuration, tokenizer: nil, weightsFileName: "model.safetensors")
    }

    /// Steps 4 to 9 over this file.
    func load() throws -> BertEmbeddingModel {
        let session = Self.makeSession()
        let file = bytes()
        let header = try SafetensorsHeader.parse(prefix: file, fileSize: file.count)
        try session.validate(header)
        try file.withUnsafeBytes { raw in
            try session.materialize(weights: raw, header: header, isCancelled: { false })
        }
        try session.optimize(isCancelled: { false })
        return try #require(try session.warmUp() as? BertEmbeddingModel)
    }
}
