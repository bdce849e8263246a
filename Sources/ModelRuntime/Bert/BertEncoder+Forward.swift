/// The forward pass: embeddings → LayerNorm → N × (self-attention, add & norm, feed-forward
/// with exact GELU, add & norm) → pooling → optional L2 normalisation, as
/// sentence-transformers computes it with Hugging Face `BertModel`.
extension BertEncoder {
    /// Bytes of `BertScratch` per packed token.
    var scratchBytesPerToken: Int {
        BertScratch.floatsPerRow(configuration) * MemoryLayout<Float>.stride
    }

    /// Embeds every sequence of `batch` (ids already checked against the vocabulary) and
    /// returns `batchSize × hiddenSize` floats, one pooled vector per sequence.
    func embed(_ batch: TokenBatch) -> [Float] {
        ParallelLoop.beginPass()
        defer { ParallelLoop.endPass() }
        let layout = BertTokenLayout(batch)
        let width = configuration.hiddenSize
        let scratch = scratchCache.take(rows: layout.rowCount, configuration: configuration)
        defer { scratchCache.give(scratch) }
        writeEmbeddings(batch, layout: layout, into: scratch.hidden.pointer)
        for layer in layers {
            run(layer, layout: layout, scratch: scratch)
        }
        var pooled = [Float](repeating: 0, count: batch.batchSize * width)
        pooled.withUnsafeMutableBufferPointer { output in
            for sequence in 0..<batch.batchSize {
                let vector = output.baseAddress! + sequence * width
                pool(scratch.hidden.pointer + layout.starts[sequence] * width,
                     rowCount: layout.lengths[sequence], into: vector)
                if configuration.normalizes { normalize(vector) }
            }
        }
        return pooled
    }

    /// Word + position + token-type embeddings, then LayerNorm. Positions count from the
    /// start of the padded row, as `BertModel`'s default `position_ids` do.
    private func writeEmbeddings(_ batch: TokenBatch, layout: BertTokenLayout, into hidden: UnsafeMutablePointer<Float>) {
        let width = configuration.hiddenSize
        batch.ids.withUnsafeBufferPointer { ids in
            batch.tokenTypeIDs.withUnsafeBufferPointer { types in
                layout.sourceIndices.withUnsafeBufferPointer { sources in
                    ParallelLoop.forRanges(total: layout.rowCount, minimumSize: 32) { rows in
                        for row in rows {
                            let source = sources[row]
                            let word = wordEmbeddings.pointer + Int(ids[source]) * width
                            let position = positionEmbeddings.pointer + (source % batch.sequenceLength) * width
                            let type = tokenTypeEmbeddings.pointer + Int(types[source]) * width
                            let values = hidden + row * width
                            for index in 0..<width { values[index] = word[index] + type[index] + position[index] }
                            LayerNorm.normalizeRow(values, width: width, gamma: embeddingNorm.gamma.pointer,
                                                   beta: embeddingNorm.beta.pointer, epsilon: configuration.layerNormEpsilon)
                        }
                    }
                }
            }
        }
    }

    /// One transformer layer, in place on `scratch.hidden`.
    private func run(_ layer: Layer, layout: BertTokenLayout, scratch: BertScratch) {
        let rows = layout.rowCount
        let width = configuration.hiddenSize
        let epsilon = configuration.layerNormEpsilon
        MatrixMultiply.multiply(input: scratch.hidden.pointer, rowCount: rows, weights: layer.queryKeyValue,
                                output: scratch.queryKeyValue.pointer)
        BertSelfAttention(headCount: configuration.headCount, headSize: configuration.headSize)
            .apply(queryKeyValue: scratch.queryKeyValue.pointer, layout: layout, context: scratch.context.pointer)
        MatrixMultiply.multiply(input: scratch.context.pointer, rowCount: rows, weights: layer.attentionOutput,
                                output: scratch.projected.pointer)
        LayerNorm.apply(scratch.hidden.pointer, residual: scratch.projected.pointer, rowCount: rows, width: width,
                        gamma: layer.attentionNorm.gamma.pointer, beta: layer.attentionNorm.beta.pointer, epsilon: epsilon)
        MatrixMultiply.multiply(input: scratch.hidden.pointer, rowCount: rows, weights: layer.intermediate,
                                activation: .gelu, output: scratch.inner.pointer)
        MatrixMultiply.multiply(input: scratch.inner.pointer, rowCount: rows, weights: layer.output,
                                output: scratch.projected.pointer)
        LayerNorm.apply(scratch.hidden.pointer, residual: scratch.projected.pointer, rowCount: rows, width: width,
                        gamma: layer.outputNorm.gamma.pointer, beta: layer.outputNorm.beta.pointer, epsilon: epsilon)
    }

    /// Pools one sequence's `rowCount` token vectors into `vector` (zero when it has none,
    /// as sentence-transformers' clamped mean gives).
    private func pool(_ tokens: UnsafePointer<Float>, rowCount: Int, into vector: UnsafeMutablePointer<Float>) {
        let width = configuration.hiddenSize
        guard rowCount > 0 else { return }
        switch configuration.pooling {
        case .cls:
            // The first real token is [CLS]: the tokenizer never masks position 0.
            vector.update(from: tokens, count: width)
        case .mean:
            for row in 0..<rowCount {
                for index in 0..<width { vector[index] += tokens[row * width + index] }
            }
            let scale = 1 / Float(rowCount)
            for index in 0..<width { vector[index] *= scale }
        case .max:
            vector.update(from: tokens, count: width)
            for row in 1..<rowCount {
                for index in 0..<width { vector[index] = Swift.max(vector[index], tokens[row * width + index]) }
            }
        }
    }

    /// Scales to unit length, `v / max(‖v‖, 1e-12)` as `torch.nn.functional.normalize`.
    private func normalize(_ vector: UnsafeMutablePointer<Float>) {
        let width = configuration.hiddenSize
        var squares: Float = 0
        for index in 0..<width { squares += vector[index] * vector[index] }
        let scale = 1 / Swift.max(squares.squareRoot(), 1e-12)
        for index in 0..<width { vector[index] *= scale }
    }
}
