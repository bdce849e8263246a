/// Layer normalisation over the last dimension, as PyTorch's `nn.LayerNorm` computes it in
/// f32: biased variance, `(x − mean) / √(variance + ε) · γ + β`.
enum LayerNorm {
    /// Normalises each of `rowCount` rows of `width` floats in place, after adding
    /// `residual` (same shape) when given, as BERT's `LayerNorm(hidden + input)` does.
    static func apply(
        _ rows: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>? = nil,
        rowCount: Int, width: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        ParallelLoop.forRanges(total: rowCount, minimumSize: 16) { range in
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
