/// Scaled dot-product attention of one head over one unpadded sequence, compiled for AVX-512
/// (see `PanelKernelAVX512` for the build flags and the CPU check callers owe).
///
/// Per sequence and head the keys are transposed once into the workspace; then, for each
/// query, sixteen keys' scores at a time (one broadcast query value per head dimension, the
/// last block's missing keys masked), the stable softmax with `VectorExp` on the same
/// vectors, and the weighted sum of the values accumulated in registers. Only the
/// sequence's real tokens take part (padding to 16 keys is masked, not computed as tokens).
#if arch(x86_64)
public enum AttentionKernelAVX512 {
    /// Largest head this kernel takes (in floats); larger heads use the caller's fallback.
    public static let maximumHeadSize = 128

    /// Floats of workspace `attend` needs for `length` tokens and heads of `headSize`: the
    /// keys transposed (`headSize` rows of the length rounded up to 16) and one score row.
    public static func workspaceCount(length: Int, headSize: Int) -> Int {
        let padded = (length + 15) / 16 * 16
        return padded * headSize + padded
    }

    /// Writes `context[q] = Σₖ softmax(scale · queries[q] · keys[k]) · values[k]` for the
    /// `length` tokens of one sequence and one head.
    ///
    /// - Parameters:
    ///   - queries, keys, values: the head's first float in token 0's row; token rows are
    ///     `rowStride` floats apart.
    ///   - headSize: a multiple of 16, at most `maximumHeadSize`.
    ///   - workspace: room for `workspaceCount(length:headSize:)` floats.
    ///   - context: the head's first float in token 0's output row; rows `contextStride` apart.
    @inline(never)
    public static func attend(
        queries: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, rowStride: Int,
        length: Int, headSize: Int, scale: Float, workspace: UnsafeMutablePointer<Float>,
        context: UnsafeMutablePointer<Float>, contextStride: Int
    ) {
        precondition(headSize % 16 == 0 && headSize <= maximumHeadSize, "head size a multiple of 16, at most 128")
        guard length > 0 else { return }
        let padded = (length + 15) / 16 * 16
        let keyBlocks = padded / 16
        // Keys transposed, so sixteen keys' scores come from one broadcast query value per
        // head dimension; the padding keys are zero and masked below.
        let transposed = workspace
        let scores = workspace + padded * headSize
        for dimension in 0..<headSize {
            (transposed + dimension * padded + length).update(repeating: 0, count: padded - length)
        }
        for key in 0..<length {
            let row = keys + key * rowStride
            for dimension in 0..<headSize { transposed[dimension * padded + key] = row[dimension] }
        }
        let lanes = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let lastValid = SIMD16<Int32>(repeating: Int32(length - (keyBlocks - 1) * 16))
        let minusInfinity = SIMD16<Float>(repeating: -.infinity)
        let scaleVector = SIMD16<Float>(repeating: scale)
        let headBlocks = headSize / 16
        for query in 0..<length {
            let q = queries + query * rowStride
            var maximum = minusInfinity
            for block in 0..<keyBlocks {
                let column = UnsafeRawPointer(transposed + block * 16)
                // Four accumulators over the head dimensions, so the FMAs do not wait on each other.
                var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
                var dimension = 0
                while dimension < headSize {
                    let line = padded * 4
                    s0 = s0.addingProduct(column.load(fromByteOffset: dimension * line, as: SIMD16<Float>.self), q[dimension])
                    s1 = s1.addingProduct(column.load(fromByteOffset: (dimension + 1) * line, as: SIMD16<Float>.self),
                                          q[dimension + 1])
                    s2 = s2.addingProduct(column.load(fromByteOffset: (dimension + 2) * line, as: SIMD16<Float>.self),
                                          q[dimension + 2])
                    s3 = s3.addingProduct(column.load(fromByteOffset: (dimension + 3) * line, as: SIMD16<Float>.self),
                                          q[dimension + 3])
                    dimension += 4
                }
                var blockScores = ((s0 + s1) + (s2 + s3)) * scaleVector
                if block == keyBlocks - 1 { blockScores.replace(with: minusInfinity, where: lanes .>= lastValid) }
                UnsafeMutableRawPointer(scores + block * 16).storeBytes(of: blockScores, as: SIMD16<Float>.self)
                maximum.replace(with: blockScores, where: blockScores .> maximum)
            }
            let top = SIMD16<Float>(repeating: horizontalMaximum(maximum))
            var total = SIMD16<Float>()
            for block in 0..<keyBlocks {
                let slot = UnsafeMutableRawPointer(scores + block * 16)
                var weights = VectorExp.exp(slot.load(as: SIMD16<Float>.self) - top)
                if block == keyBlocks - 1 { weights.replace(with: SIMD16<Float>(), where: lanes .>= lastValid) }
                slot.storeBytes(of: weights, as: SIMD16<Float>.self)
                total += weights
            }
            let normaliser = 1 / horizontalSum(total)
            let out = UnsafeMutableRawPointer(context + query * contextStride)
            for headBlock in 0..<headBlocks {
                let offset = headBlock * 64
                // Two accumulators over alternate keys, for the same reason.
                var even = SIMD16<Float>(), odd = SIMD16<Float>()
                var key = 0
                while key + 1 < length {
                    even = even.addingProduct(
                        UnsafeRawPointer(values + key * rowStride).loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self),
                        scores[key])
                    odd = odd.addingProduct(
                        UnsafeRawPointer(values + (key + 1) * rowStride).loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self),
                        scores[key + 1])
                    key += 2
                }
                if key < length {
                    even = even.addingProduct(
                        UnsafeRawPointer(values + key * rowStride).loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self),
                        scores[key])
                }
                out.storeBytes(of: (even + odd) * normaliser, toByteOffset: offset, as: SIMD16<Float>.self)
            }
        }
    }

    /// The largest of the sixteen lanes.
    @inline(__always)
    static func horizontalMaximum(_ value: SIMD16<Float>) -> Float {
        var eight = value.lowHalf
        eight.replace(with: value.highHalf, where: value.highHalf .> eight)
        var four = eight.lowHalf
        four.replace(with: eight.highHalf, where: eight.highHalf .> four)
        return max(max(four[0], four[1]), max(four[2], four[3]))
    }

    /// The sum of the sixteen lanes, by halves (four dependent adds instead of fifteen).
    @inline(__always)
    static func horizontalSum(_ value: SIMD16<Float>) -> Float {
        let eight = value.lowHalf + value.highHalf
        let four = eight.lowHalf + eight.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }
}
#endif
