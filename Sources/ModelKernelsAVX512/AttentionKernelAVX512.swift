/// Scaled dot-product attention of one head over one unpadded sequence, compiled for AVX-512
/// (see `PanelKernelAVX512` for the build flags and the CPU check callers owe).
///
/// Per sequence and head the keys are transposed once into the workspace; then, for each
/// query (two at a time, sharing every load), sixteen keys' scores at a time (one broadcast query value per head dimension, the
/// last block's missing keys masked), the stable softmax with `VectorExp` on the same
/// vectors, and the weighted sum of the values accumulated in registers. Only the
/// sequence's real tokens take part (padding to 16 keys is masked, not computed as tokens).
#if arch(x86_64)
public enum AttentionKernelAVX512 {
    /// Largest head this kernel takes (in floats); larger heads use the caller's fallback.
    public static let maximumHeadSize = 128

    /// Floats of workspace `attend` needs for `length` tokens and heads of `headSize`: the
    /// keys transposed (`headSize` rows of the length rounded up to 16) and two score rows.
    public static func workspaceCount(length: Int, headSize: Int) -> Int {
        let padded = (length + 15) / 16 * 16
        return padded * headSize + 2 * padded
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
        let head = Head(queries: queries, values: values, rowStride: rowStride, length: length, headSize: headSize,
                        padded: padded, transposed: transposed, scores: scores, scale: scale,
                        context: context, contextStride: contextStride)
        // Two queries at a time: each key line and value row loaded once feeds both, and the
        // two queries' dependency chains (score sums, maximum, exp, sum) interleave.
        var query = 0
        while query + 1 < length {
            head.pair(query)
            query += 2
        }
        if query < length { head.single(query) }
    }

    /// One head of one sequence, its keys already transposed; `single` and `pair` write the
    /// context rows of one and two queries.
    private struct Head {
        let queries: UnsafePointer<Float>
        let values: UnsafePointer<Float>
        let rowStride: Int
        let length: Int
        let headSize: Int
        let padded: Int
        let transposed: UnsafeMutablePointer<Float>
        /// Two rows of `padded` floats: the scores, then the weights, of the first and second query.
        let scores: UnsafeMutablePointer<Float>
        let scale: Float
        let context: UnsafeMutablePointer<Float>
        let contextStride: Int

        // Computed, not stored: this module runs nothing before its CPU check.
        static var lanes: SIMD16<Int32> { SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) }
        static var minusInfinity: SIMD16<Float> { SIMD16<Float>(repeating: -.infinity) }

        var keyBlocks: Int { padded / 16 }
        /// Lanes of the last key block at or past this are padding.
        var lastValid: SIMD16<Int32> { SIMD16<Int32>(repeating: Int32(length - (keyBlocks - 1) * 16)) }

        /// Sixteen keys' scaled scores for the query `q` (four accumulators over the head
        /// dimensions, so the FMAs do not wait on each other), padding lanes at -∞.
        @inline(__always)
        func blockScores(_ q: UnsafePointer<Float>, block: Int) -> SIMD16<Float> {
            let column = UnsafeRawPointer(transposed + block * 16)
            let line = padded * 4
            var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
            var dimension = 0
            while dimension < headSize {
                s0 = s0.addingProduct(column.load(fromByteOffset: dimension * line, as: SIMD16<Float>.self), q[dimension])
                s1 = s1.addingProduct(column.load(fromByteOffset: (dimension + 1) * line, as: SIMD16<Float>.self),
                                      q[dimension + 1])
                s2 = s2.addingProduct(column.load(fromByteOffset: (dimension + 2) * line, as: SIMD16<Float>.self),
                                      q[dimension + 2])
                s3 = s3.addingProduct(column.load(fromByteOffset: (dimension + 3) * line, as: SIMD16<Float>.self),
                                      q[dimension + 3])
                dimension += 4
            }
            var result = ((s0 + s1) + (s2 + s3)) * SIMD16<Float>(repeating: scale)
            if block == keyBlocks - 1 { result.replace(with: Self.minusInfinity, where: Self.lanes .>= lastValid) }
            return result
        }

        /// `blockScores` of two queries, each key line loaded once for both.
        @inline(__always)
        func blockScores(_ qa: UnsafePointer<Float>, _ qb: UnsafePointer<Float>,
                         block: Int) -> (SIMD16<Float>, SIMD16<Float>) {
            let column = UnsafeRawPointer(transposed + block * 16)
            let line = padded * 4
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), b0 = SIMD16<Float>(), b1 = SIMD16<Float>()
            var dimension = 0
            while dimension < headSize {
                let w0 = column.load(fromByteOffset: dimension * line, as: SIMD16<Float>.self)
                let w1 = column.load(fromByteOffset: (dimension + 1) * line, as: SIMD16<Float>.self)
                a0 = a0.addingProduct(w0, qa[dimension]); b0 = b0.addingProduct(w0, qb[dimension])
                a1 = a1.addingProduct(w1, qa[dimension + 1]); b1 = b1.addingProduct(w1, qb[dimension + 1])
                dimension += 2
            }
            let scaleVector = SIMD16<Float>(repeating: scale)
            var a = (a0 + a1) * scaleVector, b = (b0 + b1) * scaleVector
            if block == keyBlocks - 1 {
                a.replace(with: Self.minusInfinity, where: Self.lanes .>= lastValid)
                b.replace(with: Self.minusInfinity, where: Self.lanes .>= lastValid)
            }
            return (a, b)
        }

        /// Turns the scores in `row` into unnormalised softmax weights (exp of score − max,
        /// padding 0) in place; returns 1 / their sum.
        @inline(__always)
        func weights(_ row: UnsafeMutablePointer<Float>, maximum: SIMD16<Float>) -> Float {
            let top = SIMD16<Float>(repeating: horizontalMaximum(maximum))
            var total = SIMD16<Float>()
            for block in 0..<keyBlocks {
                let slot = UnsafeMutableRawPointer(row + block * 16)
                var weights = VectorExp.exp(slot.load(as: SIMD16<Float>.self) - top)
                if block == keyBlocks - 1 { weights.replace(with: SIMD16<Float>(), where: Self.lanes .>= lastValid) }
                slot.storeBytes(of: weights, as: SIMD16<Float>.self)
                total += weights
            }
            return 1 / horizontalSum(total)
        }

        /// Sixteen head dimensions of a value row.
        @inline(__always)
        func value(_ key: Int, _ offset: Int) -> SIMD16<Float> {
            UnsafeRawPointer(values + key * rowStride).loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
        }

        /// The context row of one query.
        func single(_ query: Int) {
            let q = queries + query * rowStride
            var maximum = Self.minusInfinity
            for block in 0..<keyBlocks {
                let scored = blockScores(q, block: block)
                UnsafeMutableRawPointer(scores + block * 16).storeBytes(of: scored, as: SIMD16<Float>.self)
                maximum.replace(with: scored, where: scored .> maximum)
            }
            let normaliser = weights(scores, maximum: maximum)
            let out = UnsafeMutableRawPointer(context + query * contextStride)
            for offset in stride(from: 0, to: headSize * 4, by: 64) {
                // Two accumulators over alternate keys, for the same reason.
                var even = SIMD16<Float>(), odd = SIMD16<Float>()
                var key = 0
                while key + 1 < length {
                    even = even.addingProduct(value(key, offset), scores[key])
                    odd = odd.addingProduct(value(key + 1, offset), scores[key + 1])
                    key += 2
                }
                if key < length { even = even.addingProduct(value(key, offset), scores[key]) }
                out.storeBytes(of: (even + odd) * normaliser, toByteOffset: offset, as: SIMD16<Float>.self)
            }
        }

        /// The context rows of queries `query` and `query + 1`.
        func pair(_ query: Int) {
            let qa = queries + query * rowStride, qb = qa + rowStride
            let rowA = scores, rowB = scores + padded
            var maximumA = Self.minusInfinity, maximumB = Self.minusInfinity
            for block in 0..<keyBlocks {
                let (a, b) = blockScores(qa, qb, block: block)
                UnsafeMutableRawPointer(rowA + block * 16).storeBytes(of: a, as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(rowB + block * 16).storeBytes(of: b, as: SIMD16<Float>.self)
                maximumA.replace(with: a, where: a .> maximumA)
                maximumB.replace(with: b, where: b .> maximumB)
            }
            let normaliserA = weights(rowA, maximum: maximumA), normaliserB = weights(rowB, maximum: maximumB)
            let outA = UnsafeMutableRawPointer(context + query * contextStride)
            let outB = outA + contextStride * 4
            for offset in stride(from: 0, to: headSize * 4, by: 64) {
                var evenA = SIMD16<Float>(), oddA = SIMD16<Float>(), evenB = SIMD16<Float>(), oddB = SIMD16<Float>()
                var key = 0
                while key + 1 < length {
                    let v0 = value(key, offset), v1 = value(key + 1, offset)
                    evenA = evenA.addingProduct(v0, rowA[key])
                    evenB = evenB.addingProduct(v0, rowB[key])
                    oddA = oddA.addingProduct(v1, rowA[key + 1])
                    oddB = oddB.addingProduct(v1, rowB[key + 1])
                    key += 2
                }
                if key < length {
                    let v0 = value(key, offset)
                    evenA = evenA.addingProduct(v0, rowA[key])
                    evenB = evenB.addingProduct(v0, rowB[key])
                }
                outA.storeBytes(of: (evenA + oddA) * normaliserA, toByteOffset: offset, as: SIMD16<Float>.self)
                outB.storeBytes(of: (evenB + oddB) * normaliserB, toByteOffset: offset, as: SIMD16<Float>.self)
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
