#if arch(x86_64)
import ModelKernelsAVX512
#endif

/// Layer normalisation over the last dimension, as PyTorch's `nn.LayerNorm` computes it in
/// f32: biased variance, `(x − mean) / √(variance + ε) · γ + β`. With the AVX-512 kernels in
/// use (`MatrixMultiply.Kernel.preferred`) and rows of a multiple of 16 floats, `apply` runs
/// `LayerNormKernelAVX512` on each core's rows.
enum LayerNorm {
    /// Whether the AVX-512 kernels are in use in this process.
    private static let usesAVX512 = MatrixMultiply.Kernel.preferred == .avx512

    /// Normalises each of `rowCount` rows of `width` floats in place, after adding
    /// `residual` (same shape) when given, as BERT's `LayerNorm(hidden + input)` does.
    static func apply(
        _ rows: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>? = nil,
        rowCount: Int, width: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        ParallelLoop.forRanges(total: rowCount, minimumSize: 16) { range in
            #if arch(x86_64)
            if usesAVX512, width % 16 == 0 {
                LayerNormKernelAVX512.normalizeRows(rows + range.lowerBound * width,
                                                    residual: residual.map { $0 + range.lowerBound * width },
                                                    rowCount: range.count, width: width, gamma: gamma, beta: beta,
                                                    epsilon: epsilon)
                return
            }
            #endif
            for row in range {
                let values = rows + row * width
                if let residual {
                    let added = residual + row * width
                    for index in 0..<width { values[index] += added[index] }
                }
                normalizeRow(values, width: width, gamma: gamma, beta: beta, epsilon: epsilon)
            }
        }
    }

    /// One row; two passes (mean, then centred squares) for the same rounding behaviour as
    /// PyTorch rather than the cancellation-prone E[x²] − E[x]².
    @inline(__always)
    static func normalizeRow(
        _ values: UnsafeMutablePointer<Float>, width: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        var sum: Float = 0
        for index in 0..<width { sum += values[index] }
        let mean = sum / Float(width)
        var squares: Float = 0
        for index in 0..<width {
            let centred = values[index] - mean
            squares += centred * centred
        }
        let scale = 1 / (squares / Float(width) + epsilon).squareRoot()
        for index in 0..<width {
            values[index] = (values[index] - mean) * scale * gamma[index] + beta[index]
        }
    }
}
