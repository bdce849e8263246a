#if arch(x86_64)
import ModelKernelsAVX512
#endif

extension MatrixMultiply {
    /// The whole product with the AVX-512 kernel: groups of four panels (64 columns) split
    /// across cores, each group's rows computed in 4 × 64 register tiles with the bias and
    /// the activation applied before the store. Only called when `Kernel.available` lists
    /// `.avx512`.
    static func multiplyAVX512(
        input: UnsafePointer<Float>, rowCount: Int, weights: PackedMatrix, activation: Activation,
        output: UnsafeMutablePointer<Float>
    ) {
        #if arch(x86_64)
        let width = PackedMatrix.panelWidth
        let perGroup = PanelKernelAVX512.panelsPerTile
        assert(PanelKernelAVX512.panelWidth == width, "the AVX-512 kernel walks 16-column panel lines")
        let groupCount = (weights.panelCount + perGroup - 1) / perGroup
        // Below ~64 K multiply-adds per core a thread hand-off costs more than it saves.
        let work = rowCount * weights.inputCount * width * perGroup
        let minimumGroups = max(1, 65_536 / max(work, 1))
        let gelu = activation == .gelu
        let small = rowCount <= ParallelLoop.smallRowCount
        ParallelLoop.forRanges(total: groupCount, minimumSize: minimumGroups, small: small) { groups in
            for group in groups {
                let firstPanel = group * perGroup
                let panelCount = min(perGroup, weights.panelCount - firstPanel)
                let firstColumn = firstPanel * width
                PanelKernelAVX512.multiplyPanels(
                    input: input, rowCount: rowCount, depth: weights.inputCount,
                    panels: UnsafePointer(weights.panels.pointer + firstPanel * weights.inputCount * width),
                    panelCount: panelCount, bias: weights.bias.pointer + firstColumn,
                    columnCount: min(panelCount * width, weights.outputCount - firstColumn), gelu: gelu,
                    output: output + firstColumn, outputStride: weights.outputCount)
            }
        }
        #else
        preconditionFailure("the AVX-512 kernel exists only on x86-64")
        #endif
    }
}
