/// The Hugging Face names and shapes of every tensor a BERT encoder needs, derived from its
/// configuration. Names are canonical (`embeddings.word_embeddings.weight`); a checkpoint
/// saved from `BertForMaskedLM` and friends prefixes them with `bert.`, which `prefix(in:)`
/// detects. Other tensors in the file (`pooler.*`, `embeddings.position_ids`, heads) are
/// ignored.
struct BertTensorNames: Sendable {
    /// One expected tensor.
    struct Expected: Sendable, Equatable {
        var name: String
        var shape: [Int]
    }

    /// The names of one encoder layer's tensors.
    struct Layer: Sendable {
        let query, key, value, attentionOutput, attentionNorm, intermediate, output, outputNorm: String

        init(index: Int) {
            let base = "encoder.layer.\(index)."
            query = base + "attention.self.query"
            key = base + "attention.self.key"
            value = base + "attention.self.value"
            attentionOutput = base + "attention.output.dense"
            attentionNorm = base + "attention.output.LayerNorm"
            intermediate = base + "intermediate.dense"
            output = base + "output.dense"
            outputNorm = base + "output.LayerNorm"
        }
    }

    static let wordEmbeddings = "embeddings.word_embeddings.weight"
    static let positionEmbeddings = "embeddings.position_embeddings.weight"
    static let tokenTypeEmbeddings = "embeddings.token_type_embeddings.weight"
    static let embeddingNorm = "embeddings.LayerNorm"

    /// The prefix the file puts before canonical names: `"bert."` or `""`.
    static func prefix(in names: Set<String>) -> String {
        names.contains("bert." + wordEmbeddings) ? "bert." : ""
    }

    /// Every tensor the forward pass reads, with the shape `configuration` implies.
    static func expected(for configuration: BertConfiguration) -> [Expected] {
        let hidden = configuration.hiddenSize
        let inner = configuration.intermediateSize
        var list = [
            Expected(name: wordEmbeddings, shape: [configuration.vocabularySize, hidden]),
            Expected(name: positionEmbeddings, shape: [configuration.maxPositionEmbeddings, hidden]),
            Expected(name: tokenTypeEmbeddings, shape: [configuration.typeVocabularySize, hidden]),
        ]
        list += norm(embeddingNorm, width: hidden)
        for index in 0..<configuration.layerCount {
            let layer = Layer(index: index)
            for projection in [layer.query, layer.key, layer.value, layer.attentionOutput] {
                list += linear(projection, outputs: hidden, inputs: hidden)
            }
            list += norm(layer.attentionNorm, width: hidden)
            list += linear(layer.intermediate, outputs: inner, inputs: hidden)
            list += linear(layer.output, outputs: hidden, inputs: inner)
            list += norm(layer.outputNorm, width: hidden)
        }
        return list
    }

    /// A PyTorch `Linear`: weight `[outputs, inputs]` and bias `[outputs]`.
    private static func linear(_ base: String, outputs: Int, inputs: Int) -> [Expected] {
        [Expected(name: base + ".weight", shape: [outputs, inputs]), Expected(name: base + ".bias", shape: [outputs])]
    }

    /// A `LayerNorm`: γ as `weight` and β as `bias`, both `[width]`.
    private static func norm(_ base: String, width: Int) -> [Expected] {
        [Expected(name: base + ".weight", shape: [width]), Expected(name: base + ".bias", shape: [width])]
    }
}
