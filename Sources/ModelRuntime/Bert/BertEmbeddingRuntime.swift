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

    /// Builds the tokenizer for a model directory at step 2; `nil` leaves the model able to
    /// embed only pre-tokenized batches.
    let makeTokenizer: (@Sendable (String) throws(ModelRuntimeError) -> any TextTokenizing)?

    /// A runtime without a tokenizer (the integrator wires `BertTokenizer` in through
    /// `init(makeTokenizer:)`).
    public init() {
        makeTokenizer = nil
    }

    /// A runtime whose step 2 loads a tokenizer with `makeTokenizer(directory)`.
    init(makeTokenizer: @escaping @Sendable (String) throws(ModelRuntimeError) -> any TextTokenizing) {
        self.makeTokenizer = makeTokenizer
    }

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

    public func makeSession(directory: String) throws(ModelRuntimeError) -> any ModelLoadSession {
        let configuration = try BertConfiguration.load(directory: directory)
        guard let weights = Self.weightsFile(in: directory) else {
            throw .invalidConfig("no .safetensors file in the model folder")
        }
        let tokenizer = try makeTokenizer?(directory)
        return BertLoadSession(directory: directory, configuration: configuration,
                               tokenizer: tokenizer, weightsFileName: weights)
    }

    /// `model.safetensors` if present, else the first `.safetensors` file by name.
    static func weightsFile(in directory: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if names.contains("model.safetensors") { return "model.safetensors" }
        return names.filter { $0.hasSuffix(".safetensors") }.sorted().first
    }
}
