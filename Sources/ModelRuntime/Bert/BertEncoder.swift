/// A BERT encoder's weights in compute layout, immutable once built: embedding tables and
/// LayerNorms as aligned f32, every dense layer pre-packed for `MatrixMultiply`, and each
/// layer's query, key and value projections fused into one `[3·hidden, hidden]` matrix.
/// The forward pass is in `BertEncoder+Forward.swift`.
struct BertEncoder: Sendable {
    /// A LayerNorm's γ and β.
    struct Norm: Sendable {
        let gamma: AlignedFloatBuffer
        let beta: AlignedFloatBuffer
    }

    /// One transformer layer.
    struct Layer: Sendable {
        /// Query, key and value stacked: outputs `0..<H` are queries, `H..<2H` keys, `2H..<3H` values.
        let queryKeyValue: PackedMatrix
        let attentionOutput: PackedMatrix
        let attentionNorm: Norm
        let intermediate: PackedMatrix
        let output: PackedMatrix
        let outputNorm: Norm
    }

    let configuration: BertConfiguration
    let wordEmbeddings: AlignedFloatBuffer
    let positionEmbeddings: AlignedFloatBuffer
    let tokenTypeEmbeddings: AlignedFloatBuffer
    let embeddingNorm: Norm
    let layers: [Layer]
    /// The last pass's activations, kept for the next pass (`BertScratchCache`).
    let scratchCache = BertScratchCache()

    /// Bytes of weights held.
    var byteCount: Int {
        let tables = wordEmbeddings.byteCount + positionEmbeddings.byteCount + tokenTypeEmbeddings.byteCount
        let norms = embeddingNorm.gamma.byteCount * 2
        return layers.reduce(tables + norms) { total, layer in
            total + layer.queryKeyValue.byteCount + layer.attentionOutput.byteCount + layer.intermediate.byteCount
                + layer.output.byteCount + 2 * (layer.attentionNorm.gamma.byteCount + layer.outputNorm.gamma.byteCount)
        }
    }

    /// Packs the materialised `tensors` (canonical names, f32, shapes already validated).
    /// Checks `isCancelled` between layers and reports `progress(layers done, layers)` after each.
    init(configuration: BertConfiguration, tensors: [String: AlignedFloatBuffer],
         isCancelled: () -> Bool, progress: (_ done: Int64, _ total: Int64) -> Void = { _, _ in }) throws(ModelRuntimeError) {
        func tensor(_ name: String) throws(ModelRuntimeError) -> AlignedFloatBuffer {
            guard let buffer = tensors[name] else { throw .missingTensor(name) }
            return buffer
        }
        func norm(_ base: String) throws(ModelRuntimeError) -> Norm {
            Norm(gamma: try tensor(base + ".weight"), beta: try tensor(base + ".bias"))
        }
        func linear(_ base: String) throws(ModelRuntimeError) -> (weight: AlignedFloatBuffer, bias: AlignedFloatBuffer) {
            (try tensor(base + ".weight"), try tensor(base + ".bias"))
        }
        self.configuration = configuration
        wordEmbeddings = try tensor(BertTensorNames.wordEmbeddings)
        positionEmbeddings = try tensor(BertTensorNames.positionEmbeddings)
        tokenTypeEmbeddings = try tensor(BertTensorNames.tokenTypeEmbeddings)
        embeddingNorm = try norm(BertTensorNames.embeddingNorm)
        let hidden = configuration.hiddenSize
        let inner = configuration.intermediateSize
        var layers: [Layer] = []
        for index in 0..<configuration.layerCount {
            guard !isCancelled() else { throw .cancelled }
            let names = BertTensorNames.Layer(index: index)
            let projections = [try linear(names.query), try linear(names.key), try linear(names.value)]
            let attentionOutput = try linear(names.attentionOutput)
            let intermediate = try linear(names.intermediate)
            let output = try linear(names.output)
            layers.append(Layer(
                queryKeyValue: PackedMatrix(
                    stacking: projections.map { (UnsafePointer($0.weight.pointer), UnsafePointer($0.bias.pointer), hidden) },
                    inputCount: hidden),
                attentionOutput: Self.pack(attentionOutput, outputs: hidden, inputs: hidden),
                attentionNorm: try norm(names.attentionNorm),
                intermediate: Self.pack(intermediate, outputs: inner, inputs: hidden),
                output: Self.pack(output, outputs: hidden, inputs: inner),
                outputNorm: try norm(names.outputNorm)
            ))
            progress(Int64(index + 1), Int64(configuration.layerCount))
        }
        self.layers = layers
    }

    private static func pack(
        _ linear: (weight: AlignedFloatBuffer, bias: AlignedFloatBuffer), outputs: Int, inputs: Int
    ) -> PackedMatrix {
        PackedMatrix(weight: linear.weight.pointer, bias: linear.bias.pointer, outputCount: outputs, inputCount: inputs)
    }
}
