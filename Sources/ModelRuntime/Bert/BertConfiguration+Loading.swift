#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reading a model folder's configuration: Hugging Face `config.json`, then the
/// sentence-transformers files (`modules.json`, the pooling module's `config.json`,
/// `sentence_bert_config.json`) when present.
extension BertConfiguration {
    /// Reads and validates the configuration of the model in `directory`. Blocking.
    static func load(directory: String) throws(ModelRuntimeError) -> BertConfiguration {
        let encoder = try decode(EncoderFile.self, at: directory + "/config.json", required: true)!
        try checkArchitecture(encoder)
        let modules = try decode([ModuleEntry].self, at: directory + "/modules.json", required: false) ?? []
        let poolingPath = modules.first { $0.type.hasSuffix(".Pooling") }?.path ?? "1_Pooling"
        let poolingFile = try decode(PoolingFile.self, at: "\(directory)/\(poolingPath)/config.json", required: false)
        let sentence = try decode(SentenceFile.self, at: directory + "/sentence_bert_config.json", required: false)
        return try BertConfiguration(
            hiddenSize: encoder.hiddenSize,
            layerCount: encoder.numHiddenLayers,
            headCount: encoder.numAttentionHeads,
            intermediateSize: encoder.intermediateSize,
            maxPositionEmbeddings: encoder.maxPositionEmbeddings,
            typeVocabularySize: encoder.typeVocabSize ?? 2,
            vocabularySize: encoder.vocabSize,
            layerNormEpsilon: Float(encoder.layerNormEps ?? 1e-12),
            pooling: poolingFile.map { file throws(ModelRuntimeError) in try file.pooling() } ?? .mean,
            normalizes: modules.contains { $0.type.hasSuffix(".Normalize") },
            maxSequenceLength: sentence?.maxSeqLength ?? min(512, encoder.maxPositionEmbeddings)
        ).validated()
    }

    /// Whether `config.json` in `directory` declares a BERT encoder (no error when not).
    static func declaresBERT(directory: String) -> Bool {
        guard let file = try? decode(EncoderFile.self, at: directory + "/config.json", required: false) else {
            return false
        }
        return file.modelType == "bert"
    }

    /// Refuses variants whose forward pass differs from the one we implement.
    private static func checkArchitecture(_ file: EncoderFile) throws(ModelRuntimeError) {
        guard file.modelType == nil || file.modelType == "bert" else {
            throw .invalidConfig("model_type is \(file.modelType ?? ""), not bert")
        }
        // BertConfig's default activation is "gelu", the exact erf form.
        guard (file.hiddenAct ?? "gelu") == "gelu" else {
            throw .invalidConfig("hidden_act \(file.hiddenAct ?? "") is not supported; only gelu (exact erf form)")
        }
        guard (file.positionEmbeddingType ?? "absolute") == "absolute" else {
            throw .invalidConfig("position_embedding_type \(file.positionEmbeddingType ?? "") is not supported; only absolute")
        }
    }

    /// Decodes the JSON file at `path`; `nil` when it is absent and not `required`.
    private static func decode<Value: Decodable>(
        _ type: Value.Type, at path: String, required: Bool
    ) throws(ModelRuntimeError) -> Value? {
        let name = path.split(separator: "/").suffix(2).joined(separator: "/")
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw .invalidConfig("\(name) not found") }
            return nil
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(Value.self, from: data)
        } catch {
            throw .invalidConfig("\(name) could not be read as the expected JSON")
        }
    }
}

/// The fields of Hugging Face `config.json` the encoder needs.
private struct EncoderFile: Decodable {
    var modelType: String?
    var hiddenSize: Int
    var numHiddenLayers: Int
    var numAttentionHeads: Int
    var intermediateSize: Int
    var maxPositionEmbeddings: Int
    var typeVocabSize: Int?
    var vocabSize: Int
    var layerNormEps: Double?
    var hiddenAct: String?
    var positionEmbeddingType: String?
}

/// One entry of sentence-transformers' `modules.json`.
private struct ModuleEntry: Decodable {
    var path: String?
    var type: String
}

/// sentence-transformers' `sentence_bert_config.json`.
private struct SentenceFile: Decodable {
    var maxSeqLength: Int?
}

/// sentence-transformers' `Pooling` configuration: one boolean per mode.
private struct PoolingFile: Decodable {
    var poolingModeClsToken: Bool?
    var poolingModeMeanTokens: Bool?
    var poolingModeMaxTokens: Bool?
    var poolingModeMeanSqrtLenTokens: Bool?
    var poolingModeWeightedmeanTokens: Bool?
    var poolingModeLasttoken: Bool?

    /// The single supported mode switched on; several modes concatenate vectors, which we
    /// do not implement.
    func pooling() throws(ModelRuntimeError) -> BertPooling {
        let unsupported = [poolingModeMeanSqrtLenTokens, poolingModeWeightedmeanTokens, poolingModeLasttoken]
        guard !unsupported.contains(true) else {
            throw .invalidConfig("pooling mode is not supported; only one of mean, cls or max")
        }
        let modes: [(Bool?, BertPooling)] = [(poolingModeMeanTokens, .mean), (poolingModeClsToken, .cls),
                                            (poolingModeMaxTokens, .max)]
        let chosen = modes.filter { $0.0 == true }.map(\.1)
        guard chosen.count == 1 else {
            throw .invalidConfig("pooling must switch on exactly one of mean, cls or max, not \(chosen.count)")
        }
        return chosen[0]
    }
}
