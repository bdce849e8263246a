#if arch(x86_64)
import ModelKernelsAVX512
#endif

extension MatrixMultiply {
    /// The whole product with the AVX-512 kernel: the output is cut into chunks of a group of
    /// four panels (64 columns) × a block of rows, claimed by the cores one at a time (group-
    /// major, so the cores walk the row blocks of a group together while its panels are in
    /// their caches); each chunk runs in 4 × 64 register tiles with the bias and the
    /// activation applied before the store. Only called when `Kernel.available` lists `.avx512`.
    static func multiplyAVX512(
        input: UnsafePointer<Float>, rowCount: Int, weights: PackedMatrix, activation: Activation,
        output: UnsafeMutablePointer<Float>
    ) {
        #if arch(x86_64)
        let width = PackedMatrix.panelWidth
        let perGroup = PanelKernelAVX512.panelsPerTile
        assert(PanelKernelAVX512.panelWidth == width, "the AVX-512 kernel walks 16-column panel lines")
        let depth = weights.inputCount
        let groupCount = (weights.panelCount + perGroup - 1) / perGroup
        let rowsPerChunk = chunkRows(rowCount: rowCount, depth: depth)
        let rowBlocks = (rowCount + rowsPerChunk - 1) / rowsPerChunk
        // Below ~64 K multiply-adds a chunk costs more to hand over than it saves.
        let groupsPerChunk = max(1, 65_536 / max(rowsPerChunk * depth * width * perGroup, 1))
        let groupChunks = (groupCount + groupsPerChunk - 1) / groupsPerChunk
        let gelu = activation == .gelu
        ParallelLoop.run(chunkCount: groupChunks * rowBlocks) { chunk in
            let firstRow = (chunk % rowBlocks) * rowsPerChunk
            let rows = min(rowsPerChunk, rowCount - firstRow)
            let firstGroup = (chunk / rowBlocks) * groupsPerChunk
            for group in firstGroup..<min(firstGroup + groupsPerChunk, groupCount) {
                let firstPanel = group * perGroup
                let panelCount = min(perGroup, weights.panelCount - firstPanel)
                let firstColumn = firstPanel * width
                PanelKernelAVX512.multiplyPanels(
                    input: input + firstRow * depth, rowCount: rows, depth: depth,
                    panels: UnsafePointer(weights.panels.pointer + firstPanel * depth * width),
                    panelCount: panelCount, bias: weights.bias.pointer + firstColumn,
                    columnCount: min(panelCount * width, weights.outputCount - firstColumn), gelu: gelu,
                    output: output + firstRow * weights.outputCount + firstColumn, outputStride: weights.outputCount)
            }
        }
        #else
        preconditionFailure("the AVX-512 kernel exists only on x86-64")
        #endif
    }

    /// Rows per chunk of a product with `rowCount` rows: all of them up to 64 (a short
    /// sentence's pass splits by columns only), else a multiple of the 4-row tile near
    /// 2 M multiply-adds per 64-column group (80 rows at depth 384, 32 at 1536), at least 32.
    static func chunkRows(rowCount: Int, depth: Int) -> Int {
        guard rowCount > 64 else { return max(rowCount, 1) }
        let target = (2_097_152 / max(depth * 64, 1) + 3) / 4 * 4
        return min(rowCount, max(32, target))
    }
}
