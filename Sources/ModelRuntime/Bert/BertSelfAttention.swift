#if arch(x86_64)
import ModelKernelsAVX512
#endif

/// Multi-head scaled dot-product self-attention over packed sequences:
/// `softmax(Q·Kᵀ / √d) · V` per sequence and head, each token attending only to the real
/// tokens of its own sequence (see `BertTokenLayout` for why that equals the masked form).
/// With the AVX-512 kernels in use (`MatrixMultiply.Kernel.preferred`) and heads of a
/// multiple of 16 floats, each (sequence, head) runs `AttentionKernelAVX512`.
struct BertSelfAttention {
    let headCount: Int
    let headSize: Int

    /// Reads queries, keys and values from `queryKeyValue` (`rows × 3·hidden`: Q, then K,
    /// then V, each split into heads of `headSize`) and writes `context` (`rows × hidden`).
    func apply(queryKeyValue: UnsafePointer<Float>, layout: BertTokenLayout, context: UnsafeMutablePointer<Float>) {
        let sequenceCount = layout.starts.count
        let items = sequenceCount * headCount
        let longest = layout.lengths.max() ?? 0
        guard items > 0, longest > 0 else { return }
        // Scores of the longest sequence, or the AVX-512 kernel's workspace for it.
        var scratchCount = longest
        #if arch(x86_64)
        if Self.usesAVX512 {
            scratchCount = max(scratchCount, AttentionKernelAVX512.workspaceCount(length: longest, headSize: headSize))
        }
        #endif
        // One (sequence, head) per chunk, claimed in turn: sequences differ in length.
        ParallelLoop.run(chunkCount: items) { item in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchCount) { scores in
                let sequence = item / headCount
                attend(head: item % headCount, start: layout.starts[sequence], length: layout.lengths[sequence],
                       queryKeyValue: queryKeyValue, scores: scores.baseAddress!, context: context)
            }
        }
    }

    /// One head of one sequence.
    private func attend(
        head: Int, start: Int, length: Int, queryKeyValue: UnsafePointer<Float>,
        scores: UnsafeMutablePointer<Float>, context: UnsafeMutablePointer<Float>
    ) {
        let hidden = headCount * headSize
        let stride = 3 * hidden
        let scale = 1 / Float(headSize).squareRoot()
        let queries = queryKeyValue + start * stride + head * headSize
        let keys = queries + hidden
        let values = queries + 2 * hidden
        #if arch(x86_64)
        if Self.usesAVX512, headSize % 16 == 0, headSize <= AttentionKernelAVX512.maximumHeadSize {
            AttentionKernelAVX512.attend(queries: queries, keys: keys, values: values, rowStride: stride, length: length,
                                         headSize: headSize, scale: scale, workspace: scores,
                                         context: context + start * hidden + head * headSize, contextStride: hidden)
            return
        }
        #endif
        for query in 0..<length {
            let q = queries + query * stride
            for key in 0..<length {
                scores[key] = dot(q, keys + key * stride) * scale
            }
            Softmax.applyInPlace(scores, count: length)
            let out = context + (start + query) * hidden + head * headSize
            out.update(repeating: 0, count: headSize)
            for key in 0..<length {
                let weight = scores[key]
                let v = values + key * stride
                for index in 0..<headSize { out[index] += weight * v[index] }
            }
        }
    }

    /// Whether the AVX-512 kernels are in use in this process.
    private static let usesAVX512 = MatrixMultiply.Kernel.preferred == .avx512

    /// `a · b` over one head, eight lanes at a time.
    @inline(__always)
    private func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Float {
        var lanes = SIMD8<Float>()
        var index = 0
        while index + 8 <= headSize {
            let x = UnsafeRawPointer(a + index).loadUnaligned(as: SIMD8<Float>.self)
            let y = UnsafeRawPointer(b + index).loadUnaligned(as: SIMD8<Float>.self)
            lanes += x * y
            index += 8
        }
        var sum = lanes.sum()
        while index < headSize {
            sum += a[index] * b[index]
            index += 1
        }
        return sum
    }
}
