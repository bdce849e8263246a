/// The GEMM micro-kernel compiled for AVX-512 (x86-64-v4: F, BW, CD, DQ, VL), chosen at run
/// time by `ModelRuntime`'s `MatrixMultiply` when the CPU has them.
///
/// This module is built with `-target-cpu skylake-avx512` (the x86-64-v4 set) (see Package.swift), so any instruction in
/// it may be AVX-512: calling anything here on a CPU without it raises SIGILL. Callers must
/// check the CPU first, and nothing here runs at load time (no globals, no initialisers).
///
/// Register blocking: a tile is 4 rows × 4 panels (64 columns), sixteen `zmm` accumulators
/// (one `SIMD16<Float>` each) held across the whole depth; per step of k, four aligned panel
/// lines are loaded and each of the four input values is broadcast once, for sixteen fused
/// multiply-adds, enough independent chains to keep both FMA pipes of a Zen 4/5 or Sapphire
/// Rapids core busy (a last tile of one or two rows runs an eight-accumulator copy of the
/// loop instead of repeating rows). The four panels (at most 4 × 16 × K floats, 384 KiB for K = 1536) stay in
/// L2 while every row tile of the call reuses them. The epilogue adds the bias and, when
/// asked, applies the exact GELU on the registers before the only store.
#if arch(x86_64)
public enum PanelKernelAVX512 {
    /// Columns per packed panel line; must equal `PackedMatrix.panelWidth`.
    public static let panelWidth = 16
    /// Panels one call computes at most.
    public static let panelsPerTile = 4

    /// Computes, for `panelCount` (1…4) consecutive 16-column panels, `output[r, c] =
    /// Σₖ input[r, k] · panel[k, c] + bias[c]`, then GELU when `gelu`, for every row
    /// `r < rowCount` and column `c < columnCount`.
    ///
    /// - Parameters:
    ///   - input: row-major `rowCount × depth` floats.
    ///   - panels: the first panel; panel p starts `p · depth · 16` floats later; each is
    ///     `depth` lines of 16 floats, 64-byte aligned (`PackedMatrix`'s layout).
    ///   - bias: `panelCount × 16` floats (lanes past `columnCount` are read but unused).
    ///   - columnCount: valid columns from the first panel's first, at most `panelCount × 16`.
    ///   - output: the first panel's first column in row 0; rows are `outputStride` floats apart.
    @inline(never)
    public static func multiplyPanels(
        input: UnsafePointer<Float>, rowCount: Int, depth: Int, panels: UnsafePointer<Float>, panelCount: Int,
        bias: UnsafePointer<Float>, columnCount: Int, gelu: Bool, output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        precondition((1...panelsPerTile).contains(panelCount), "1 to 4 panels per call")
        // Missing panels repeat the first (valid memory; their results are never stored).
        let lineBytes = depth * panelWidth * MemoryLayout<Float>.stride
        let panel0 = UnsafeRawPointer(panels)
        let panel1 = panelCount > 1 ? panel0 + lineBytes : panel0
        let panel2 = panelCount > 2 ? panel0 + 2 * lineBytes : panel0
        let panel3 = panelCount > 3 ? panel0 + 3 * lineBytes : panel0
        let bias0 = UnsafeRawPointer(bias).loadUnaligned(as: SIMD16<Float>.self)
        let bias1 = panelCount > 1 ? UnsafeRawPointer(bias + 16).loadUnaligned(as: SIMD16<Float>.self) : bias0
        let bias2 = panelCount > 2 ? UnsafeRawPointer(bias + 32).loadUnaligned(as: SIMD16<Float>.self) : bias0
        let bias3 = panelCount > 3 ? UnsafeRawPointer(bias + 48).loadUnaligned(as: SIMD16<Float>.self) : bias0
        let store = Store(columnCount: columnCount, gelu: gelu)
        var row = 0
        while row < rowCount {
            // A last tile of one or two rows (a short sentence's 10 tokens end in two) runs
            // the eight-accumulator loop; one of three repeats its last row in the unused
            // slot (valid memory, results dropped) and runs the sixteen-accumulator loop.
            let rows = min(4, rowCount - row)
            if rows <= 2 {
                let row0 = input + row * depth, row1 = row0 + (rows - 1) * depth
                var c00 = SIMD16<Float>(), c01 = SIMD16<Float>(), c02 = SIMD16<Float>(), c03 = SIMD16<Float>()
                var c10 = SIMD16<Float>(), c11 = SIMD16<Float>(), c12 = SIMD16<Float>(), c13 = SIMD16<Float>()
                var offset = 0
                for k in 0..<depth {
                    let w0 = panel0.load(fromByteOffset: offset, as: SIMD16<Float>.self)
                    let w1 = panel1.load(fromByteOffset: offset, as: SIMD16<Float>.self)
                    let w2 = panel2.load(fromByteOffset: offset, as: SIMD16<Float>.self)
                    let w3 = panel3.load(fromByteOffset: offset, as: SIMD16<Float>.self)
                    let a0 = row0[k], a1 = row1[k]
                    c00 = c00.addingProduct(w0, a0); c01 = c01.addingProduct(w1, a0)
                    c02 = c02.addingProduct(w2, a0); c03 = c03.addingProduct(w3, a0)
                    c10 = c10.addingProduct(w0, a1); c11 = c11.addingProduct(w1, a1)
                    c12 = c12.addingProduct(w2, a1); c13 = c13.addingProduct(w3, a1)
                    offset += 64
                }
                let destination = output + row * outputStride
                store.line(c00 + bias0, c01 + bias1, c02 + bias2, c03 + bias3, to: destination)
                if rows > 1 { store.line(c10 + bias0, c11 + bias1, c12 + bias2, c13 + bias3, to: destination + outputStride) }
                row += rows
                continue
            }
            let row0 = input + row * depth, row1 = row0 + min(1, rows - 1) * depth
            let row2 = row0 + min(2, rows - 1) * depth, row3 = row0 + min(3, rows - 1) * depth
            var c00 = SIMD16<Float>(), c01 = SIMD16<Float>(), c02 = SIMD16<Float>(), c03 = SIMD16<Float>()
            var c10 = SIMD16<Float>(), c11 = SIMD16<Float>(), c12 = SIMD16<Float>(), c13 = SIMD16<Float>()
            var c20 = SIMD16<Float>(), c21 = SIMD16<Float>(), c22 = SIMD16<Float>(), c23 = SIMD16<Float>()
            var c30 = SIMD16<Float>(), c31 = SIMD16<Float>(), c32 = SIMD16<Float>(), c33 = SIMD16<Float>()
            var offset = 0
            for k in 0..<depth {
                let w0 = panel0.load(fromByteOffset: offset, as: SIMD16<Float>.self)
                let w1 = panel1.load(fromByteOffset: offset, as: SIMD16<Float>.self)
                let w2 = panel2.load(fromByteOffset: offset, as: SIMD16<Float>.self)
                let w3 = panel3.load(fromByteOffset: offset, as: SIMD16<Float>.self)
                let a0 = row0[k], a1 = row1[k], a2 = row2[k], a3 = row3[k]
                c00 = c00.addingProduct(w0, a0); c01 = c01.addingProduct(w1, a0)
                c02 = c02.addingProduct(w2, a0); c03 = c03.addingProduct(w3, a0)
                c10 = c10.addingProduct(w0, a1); c11 = c11.addingProduct(w1, a1)
                c12 = c12.addingProduct(w2, a1); c13 = c13.addingProduct(w3, a1)
                c20 = c20.addingProduct(w0, a2); c21 = c21.addingProduct(w1, a2)
                c22 = c22.addingProduct(w2, a2); c23 = c23.addingProduct(w3, a2)
                c30 = c30.addingProduct(w0, a3); c31 = c31.addingProduct(w1, a3)
                c32 = c32.addingProduct(w2, a3); c33 = c33.addingProduct(w3, a3)
                offset += 64
            }
            let destination = output + row * outputStride
            store.line(c00 + bias0, c01 + bias1, c02 + bias2, c03 + bias3, to: destination)
            if rows > 1 { store.line(c10 + bias0, c11 + bias1, c12 + bias2, c13 + bias3, to: destination + outputStride) }
            if rows > 2 { store.line(c20 + bias0, c21 + bias1, c22 + bias2, c23 + bias3, to: destination + 2 * outputStride) }
            if rows > 3 { store.line(c30 + bias0, c31 + bias1, c32 + bias2, c33 + bias3, to: destination + 3 * outputStride) }
            row += rows
        }
    }

    /// The epilogue's writes: one row of up to 64 columns, with GELU when asked.
    private struct Store {
        let columnCount: Int
        let gelu: Bool

        @inline(__always)
        func line(_ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ v2: SIMD16<Float>, _ v3: SIMD16<Float>,
                  to destination: UnsafeMutablePointer<Float>) {
            vector(v0, lane: 0, to: destination)
            if columnCount > 16 { vector(v1, lane: 16, to: destination) }
            if columnCount > 32 { vector(v2, lane: 32, to: destination) }
            if columnCount > 48 { vector(v3, lane: 48, to: destination) }
        }

        @inline(__always)
        private func vector(_ value: SIMD16<Float>, lane first: Int, to destination: UnsafeMutablePointer<Float>) {
            let result = gelu ? VectorGELU.exact(value) : value
            let count = columnCount - first
            if count >= 16 {
                UnsafeMutableRawPointer(destination + first).storeBytes(of: result, as: SIMD16<Float>.self)
            } else {
                for lane in 0..<count { destination[first + lane] = result[lane] }
            }
        }
    }
}
#endif
