/// Residual add and layer normalisation of whole rows, compiled for AVX-512 (see
/// `PanelKernelAVX512` for the build flags and the CPU check callers owe): PyTorch's f32
/// `LayerNorm(x + residual)` with the biased variance, mean and centred squares in two
/// passes over the row (as the portable `LayerNorm` does), sixteen lanes at a time.
#if arch(x86_64)
public enum LayerNormKernelAVX512 {
    /// Normalises `rowCount` rows of `width` floats (a multiple of 16) in place, after adding
    /// `residual` (same shape) when given; rows are `width` floats apart.
    @inline(never)
    public static func normalizeRows(
        _ rows: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, rowCount: Int, width: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        precondition(width % 16 == 0, "row width a multiple of 16")
        let blocks = width / 16
        for row in 0..<rowCount {
            let values = UnsafeMutableRawPointer(rows + row * width)
            var sum = SIMD16<Float>()
            if let residual {
                let added = UnsafeRawPointer(residual + row * width)
                for block in 0..<blocks {
                    let value = values.loadUnaligned(fromByteOffset: block * 64, as: SIMD16<Float>.self)
                        + added.loadUnaligned(fromByteOffset: block * 64, as: SIMD16<Float>.self)
                    values.storeBytes(of: value, toByteOffset: block * 64, as: SIMD16<Float>.self)
                    sum += value
                }
            } else {
                for block in 0..<blocks { sum += values.loadUnaligned(fromByteOffset: block * 64, as: SIMD16<Float>.self) }
            }
            let mean = AttentionKernelAVX512.horizontalSum(sum) / Float(width)
            let meanVector = SIMD16<Float>(repeating: mean)
            var squares = SIMD16<Float>()
            for block in 0..<blocks {
                let centred = values.loadUnaligned(fromByteOffset: block * 64, as: SIMD16<Float>.self) - meanVector
                squares = squares.addingProduct(centred, centred)
            }
            let variance = AttentionKernelAVX512.horizontalSum(squares) / Float(width)
            let scale = SIMD16<Float>(repeating: 1 / (variance + epsilon).squareRoot())
            let g = UnsafeRawPointer(gamma), b = UnsafeRawPointer(beta)
            for block in 0..<blocks {
                let centred = values.loadUnaligned(fromByteOffset: block * 64, as: SIMD16<Float>.self) - meanVector
                let result = (centred * scale * g.loadUnaligned(fromByteOffset: block * 64, as: SIMD16<Float>.self))
                    + b.loadUnaligned(fromByteOffset: block * 64, as: SIMD16<Float>.self)
                values.storeBytes(of: result, toByteOffset: block * 64, as: SIMD16<Float>.self)
            }
        }
    }
}
#endif
