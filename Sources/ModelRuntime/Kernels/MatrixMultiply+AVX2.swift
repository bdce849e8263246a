#if arch(x86_64)
import ModelKernelsAVX2
#endif

extension MatrixMultiply {
    /// All rows of Y for one panel with the AVX2 + FMA kernel, then the activation in place.
    /// Only called when `Kernel.available` lists `.avx2`.
    static func multiplyPanelAVX2(
        input: UnsafePointer<Float>, rowCount: Int, weights: PackedMatrix, panel: Int,
        activation: Activation, output: UnsafeMutablePointer<Float>
    ) {
        #if arch(x86_64)
        let width = PackedMatrix.panelWidth
        assert(PanelKernelAVX2.panelWidth == width, "the AVX2 kernel walks 16-column panel lines")
        let firstColumn = panel * width
        let columnCount = min(width, weights.outputCount - firstColumn)
        let destination = output + firstColumn
        PanelKernelAVX2.multiplyPanel(
            input: input, rowCount: rowCount, depth: weights.inputCount,
            panel: UnsafePointer(weights.panels.pointer + panel * weights.inputCount * width),
            bias: weights.bias.pointer + firstColumn, columnCount: columnCount,
            output: destination, outputStride: weights.outputCount)
        // The panel's outputs are still in L1, so a second pass for GELU costs little.
        if case .gelu = activation {
            for row in 0..<rowCount {
                let line = destination + row * weights.outputCount
                for lane in 0..<columnCount { line[lane] = GELU.exact(line[lane]) }
            }
        }
        #else
        preconditionFailure("the AVX2 kernel exists only on x86-64")
        #endif
    }
}
