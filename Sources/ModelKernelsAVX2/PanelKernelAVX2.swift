/// The GEMM micro-kernel compiled for Haswell-class x86-64 (AVX2 + FMA), chosen at run time by
/// `ModelRuntime`'s `MatrixMultiply` when the CPU has both features.
///
/// This module is built with `-target-cpu haswell` (see Package.swift), so every instruction in
/// it may be AVX2 or FMA: calling anything here on a CPU without them raises SIGILL. Callers
/// must check the CPU first, and nothing here runs at load time (no globals, no initialisers).
/// The kernel is a copy of the portable 4 × 16 tile loop; the same `SIMD16<Float>` source is
/// lowered to two 8-lane `ymm` registers per vector and fused multiply-adds.
#if arch(x86_64)
public enum PanelKernelAVX2 {
    /// Columns per packed panel line; must equal `PackedMatrix.panelWidth`.
    public static let panelWidth = 16

    /// Computes, for one 16-column panel, `output[r, c] = Σₖ input[r, k] · panel[k, c] + bias[c]`
    /// for every row `r < rowCount` and column `c < columnCount`, without an activation.
    ///
    /// - Parameters:
    ///   - input: row-major `rowCount × depth` floats.
    ///   - panel: `depth` lines of 16 floats, 64-byte aligned (`PackedMatrix`'s layout).
    ///   - bias: 16 floats (lanes past `columnCount` are read but unused).
    ///   - output: the panel's first column in row 0; rows are `outputStride` floats apart.
    @inline(never)
    public static func multiplyPanel(
        input: UnsafePointer<Float>, rowCount: Int, depth: Int, panel: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, columnCount: Int, output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        let biasVector = UnsafeRawPointer(bias).loadUnaligned(as: SIMD16<Float>.self)
        var row = 0
        while row < rowCount {
            // A short last tile repeats its last row in the unused slots (valid memory,
            // results dropped) so every tile runs the four-accumulator loop.
            let rows = min(4, rowCount - row)
            let first = input + row * depth
            var sum0 = SIMD16<Float>(), sum1 = SIMD16<Float>(), sum2 = SIMD16<Float>(), sum3 = SIMD16<Float>()
            let row0 = first, row1 = first + min(1, rows - 1) * depth
            let row2 = first + min(2, rows - 1) * depth, row3 = first + min(3, rows - 1) * depth
            var line = UnsafeRawPointer(panel)
            for k in 0..<depth {
                let weights = line.load(as: SIMD16<Float>.self)
                sum0 = sum0.addingProduct(weights, row0[k])
                sum1 = sum1.addingProduct(weights, row1[k])
                sum2 = sum2.addingProduct(weights, row2[k])
                sum3 = sum3.addingProduct(weights, row3[k])
                line += 64
            }
            let destination = output + row * outputStride
            store(sum0 + biasVector, columnCount: columnCount, to: destination)
            if rows > 1 { store(sum1 + biasVector, columnCount: columnCount, to: destination + outputStride) }
            if rows > 2 { store(sum2 + biasVector, columnCount: columnCount, to: destination + 2 * outputStride) }
            if rows > 3 { store(sum3 + biasVector, columnCount: columnCount, to: destination + 3 * outputStride) }
            row += rows
        }
    }

    /// Writes the first `columnCount` lanes of `value`.
    @inline(__always)
    private static func store(_ value: SIMD16<Float>, columnCount: Int, to destination: UnsafeMutablePointer<Float>) {
        if columnCount == 16 {
            UnsafeMutableRawPointer(destination).storeBytes(of: value, as: SIMD16<Float>.self)
        } else {
            for lane in 0..<columnCount { destination[lane] = value[lane] }
        }
    }
}
#endif
