#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `bert-embedding` runtime: BERT-architecture encoders described by a Hugging Face
/// `config.json`, with sentence-transformers pooling and normalisation, weights in
/// safetensors.
public struct BertEmbeddingRuntime: ModelRuntimeFactory {
    /// The manifest's `runtime:` value.
    static let runtimeName = "bert-embedding"

    /// Creates the runtime; it holds no state, each load reads its own folder.
    public init() {}

    /// `bert-embedding`.
    public var name: String {
        Self.runtimeName
    }

    /// A folder with a BERT `config.json`, a `.safetensors` file and sentence-transformers'
    /// `modules.json` or `1_Pooling/`.
    public func recognizes(directory: String) -> Bool {
        let files = FileManager.default
        let hasPooling = files.fileExists(atPath: directory + "/modules.json")
            || files.fileExists(atPath: directory + "/1_Pooling/config.json")
        return hasPooling && Self.weightsFile(in: directory) != nil
            && BertConfiguration.declaresBERT(directory: directory)
    }

    /// Step 2: reads and validates the configuration files and loads the tokenizer.
    public func makeSession(directory: String) throws(ModelRuntimeError) -> any ModelLoadSession {
        let configuration = try BertConfiguration.load(directory: directory)
        guard let weights = Self.weightsFile(in: directory) else {
            throw .invalidConfig("no .safetensors file in the model folder")
        }
        let tokenizer = try BertTokenizer.load(directory: directory)
        guard tokenizer.vocabularySize <= configuration.vocabularySize else {
            throw .invalidConfig("the tokenizer has \(tokenizer.vocabularySize) tokens but vocab_size is \(configuration.vocabularySize)")
        }
        return BertLoadSession(configuration: configuration,
                               tokenizer: tokenizer, weightsFileName: weights)
    }

    /// `model.safetensors` if present, else the first `.safetensors` file by name.
    static func weightsFile(in directory: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if names.contains("model.safetensors") { return "model.safetensors" }
        return names.filter { $0.hasSuffix(".safetensors") }.sorted().first
    }
}
