#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
@testable import ModelRuntime

/// Reading config.json and the sentence-transformers files from a model folder.
struct BertConfigurationTests {
    static let encoder = """
        {"model_type": "bert", "hidden_size": 384, "num_hidden_layers": 6, "num_attention_heads": 12,
         "intermediate_size": 1536, "max_position_embeddings": 512, "type_vocab_size": 2,
         "vocab_size": 30522, "layer_norm_eps": 1e-12, "hidden_act": "gelu"}
        """
    static let modules = """
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
         {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
        """

    /// A fresh folder holding `files` (relative path → contents), removed by the caller.
    func makeFolder(_ files: [String: String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.path + "/bert-config-\(UInt64.random(in: 0...UInt64.max))"
        for (name, contents) in files {
            let path = folder + "/" + name
            let parent = String(path[..<path.lastIndex(of: "/")!])
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        }
        return folder
    }

    func load(_ files: [String: String]) throws -> Result<BertConfiguration, ModelRuntimeError> {
        let folder = try makeFolder(files)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return Result { () throws(ModelRuntimeError) in try BertConfiguration.load(directory: folder) }
    }

    @Test("a sentence-transformers folder gives MiniLM's shape, mean pooling, normalisation and 256 tokens")
    func readsSentenceTransformersFolder() throws {
        let configuration = try load([
            "config.json": Self.encoder, "modules.json": Self.modules,
            "1_Pooling/config.json": #"{"pooling_mode_mean_tokens": true, "pooling_mode_cls_token": false}"#,
            "sentence_bert_config.json": #"{"max_seq_length": 256, "do_lower_case": false}"#,
        ]).get()
        #expect(configuration.hiddenSize == 384 && configuration.layerCount == 6 && configuration.headSize == 32)
        #expect(configuration.pooling == .mean && configuration.normalizes)
        #expect(configuration.maxSequenceLength == 256)
    }

    @Test("without sentence-transformers files: mean pooling, no normalisation, 512 tokens")
    func defaultsWithoutSentenceFiles() throws {
        let configuration = try load(["config.json": Self.encoder]).get()
        #expect(configuration.pooling == .mean && !configuration.normalizes)
        #expect(configuration.maxSequenceLength == 512)
    }

    @Test("CLS pooling is read from the pooling module modules.json names")
    func readsCLSPooling() throws {
        let modules = Self.modules.replacing("1_Pooling", with: "pool")
        let configuration = try load([
            "config.json": Self.encoder, "modules.json": modules,
            "pool/config.json": #"{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}"#,
        ]).get()
        #expect(configuration.pooling == .cls)
    }

    @Test("the tanh GELU, two pooling modes, a missing config and a bad head count fail with invalid_config")
    func refusesWhatWeDoNotRun() throws {
        let cases: [[String: String]] = [
            ["config.json": Self.encoder.replacing(#""gelu""#, with: #""gelu_new""#)],
            ["config.json": Self.encoder, "1_Pooling/config.json":
                #"{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true}"#],
            ["modules.json": Self.modules],
            ["config.json": Self.encoder.replacing(#""num_attention_heads": 12"#,
                                                              with: #""num_attention_heads": 5"#)],
        ]
        for files in cases {
            let result = try load(files)
            guard case .failure(let error) = result else {
                Issue.record("accepted \(files.keys.sorted())")
                continue
            }
            #expect(error.code == "invalid_config")
        }
    }

    @Test("the runtime recognises a sentence-transformers BERT folder and nothing less")
    func recognizesFolders() throws {
        let complete = try makeFolder(["config.json": Self.encoder, "modules.json": Self.modules, "model.safetensors": "x"])
        let noWeights = try makeFolder(["config.json": Self.encoder, "modules.json": Self.modules])
        let notBERT = try makeFolder(["config.json": Self.encoder.replacing(#""bert""#, with: #""gpt2""#),
                                      "modules.json": Self.modules, "model.safetensors": "x"])
        defer { for folder in [complete, noWeights, notBERT] { try? FileManager.default.removeItem(atPath: folder) } }
        let runtime = BertEmbeddingRuntime()
        #expect(runtime.recognizes(directory: complete))
        #expect(!runtime.recognizes(directory: noWeights))
        #expect(!runtime.recognizes(directory: notBERT))
        #expect(runtime.name == "bert-embedding")
    }
}
