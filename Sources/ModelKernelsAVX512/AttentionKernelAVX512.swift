#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Scaled dot-product attention of one head over one unpadded sequence, compiled for AVX-512
/// (see `PanelKernelAVX512` for the build flags and the CPU check callers owe).
///
/// For each query: scores against every key of the sequence (dot products over the head,
/// sixteen lanes at a time, summed by halving), the stable softmax (max, `expf`, sum), then
/// the weighted sum of the values accumulated in registers. Only the sequence's real tokens
/// take part, so no work is spent on padding.
#if arch(x86_64)
public enum AttentionKernelAVX512 {
    /// Largest head this kernel takes (in floats); larger heads use the caller's fallback.
    public static let maximumHeadSize = 128

    /// Writes `context[q] = Σₖ softmax(scale · queries[q] · keys[k]) · values[k]` for the
    /// `length` tokens of one sequence and one head.
    ///
    /// - Parameters:
    ///   - queries, keys, values: the head's first float in token 0's row; token rows are
    ///     `rowStride` floats apart.
    ///   - headSize: a multiple of 16, at most `maximumHeadSize`.
    ///   - scores: room for `length` floats.
    ///   - context: the head's first float in token 0's output row; rows `contextStride` apart.
    @inline(never)
    public static func attend(
        queries: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, rowStride: Int,
        length: Int, headSize: Int, scale: Float, scores: UnsafeMutablePointer<Float>,
        context: UnsafeMutablePointer<Float>, contextStride: Int
    ) {
        precondition(headSize % 16 == 0 && headSize <= maximumHeadSize, "head size a multiple of 16, at most 128")
        let blocks = headSize / 16
        for query in 0..<length {
            let q = UnsafeRawPointer(queries + query * rowStride)
            var maximum = -Float.infinity
            for key in 0..<length {
                let k = UnsafeRawPointer(keys + key * rowStride)
                var sum = SIMD16<Float>()
                for block in 0..<blocks {
                    sum = sum.addingProduct(q.loadUnaligned(fromByteOffset: block * 64, as: SIMD16<Float>.self),
                                            k.loadUnaligned(fromByteOffset: block * 64, as: SIMD16<Float>.self))
                }
                let score = horizontalSum(sum) * scale
                scores[key] = score
                maximum = max(maximum, score)
            }
            var total: Float = 0
            for key in 0..<length {
                let weight = expf(scores[key] - maximum)
                scores[key] = weight
                total += weight
            }
            let normaliser = 1 / total
            let out = UnsafeMutableRawPointer(context + query * contextStride)
            var block = 0
            while block < blocks {
                // Two accumulators per step of keys when the head has two blocks or more.
                let second = block + 1 < blocks
                var first = SIMD16<Float>(), other = SIMD16<Float>()
                for key in 0..<length {
                    let v = UnsafeRawPointer(values + key * rowStride)
                    let weight = scores[key]
                    first = first.addingProduct(v.loadUnaligned(fromByteOffset: block * 64, as: SIMD16<Float>.self), weight)
                    if second {
                        other = other.addingProduct(v.loadUnaligned(fromByteOffset: (block + 1) * 64, as: SIMD16<Float>.self),
                                                    weight)
                    }
                }
                out.storeBytes(of: first * normaliser, toByteOffset: block * 64, as: SIMD16<Float>.self)
                if second { out.storeBytes(of: other * normaliser, toByteOffset: (block + 1) * 64, as: SIMD16<Float>.self) }
                block += second ? 2 : 1
            }
        }
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
