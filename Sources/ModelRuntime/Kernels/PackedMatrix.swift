/// A linear layer's weight matrix and bias re-laid out for `MatrixMultiply`: the PyTorch
/// weight `W[outputs, inputs]` becomes column panels of `panelWidth` outputs, each panel
/// holding, for every input k, the `panelWidth` weights `W[panel·16 ..< panel·16+16, k]`
/// contiguously (zero past the last output). The micro-kernel then streams one aligned
/// 64-byte line per k.
struct PackedMatrix: Sendable {
    /// Outputs per panel, equal to the micro-kernel's vector width in floats.
    static let panelWidth = 16

    /// Rows of the original weight (N, the layer's output width).
    let outputCount: Int
    /// Columns of the original weight (K, the layer's input width).
    let inputCount: Int
    /// The panels, `panelCount × inputCount × panelWidth` floats.
    let panels: AlignedFloatBuffer
    /// The bias, zero-padded to `panelCount × panelWidth` floats.
    let bias: AlignedFloatBuffer

    /// Number of 16-output panels.
    var panelCount: Int {
        (outputCount + Self.panelWidth - 1) / Self.panelWidth
    }

    /// Bytes held.
    var byteCount: Int {
        panels.byteCount + bias.byteCount
    }

    /// Packs `weight` (row-major `[outputCount, inputCount]`) and `bias` (`outputCount`).
    init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outputCount: Int, inputCount: Int) {
        self.outputCount = outputCount
        self.inputCount = inputCount
        let width = Self.panelWidth
        let panelCount = (outputCount + width - 1) / width
        panels = AlignedFloatBuffer(count: panelCount * inputCount * width)
        self.bias = AlignedFloatBuffer(count: panelCount * width)
        self.bias.pointer.update(from: bias, count: outputCount)
        let destination = panels.pointer
        for output in 0..<outputCount {
            let panel = output / width
            let lane = output % width
            let row = weight + output * inputCount
            let panelBase = destination + panel * inputCount * width + lane
            for input in 0..<inputCount {
                panelBase[input * width] = row[input]
            }
        }
    }

    /// Stacks several layers that read the same input into one (e.g. query, key and value
    /// into one `[3·hidden, hidden]` projection), outputs in the order given.
    init(stacking parts: [(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outputCount: Int)],
         inputCount: Int) {
        let total = parts.reduce(0) { $0 + $1.outputCount }
        let weight = UnsafeMutablePointer<Float>.allocate(capacity: total * inputCount)
        let bias = UnsafeMutablePointer<Float>.allocate(capacity: total)
        defer {
            weight.deallocate()
            bias.deallocate()
        }
        var offset = 0
        for part in parts {
            (weight + offset * inputCount).initialize(from: part.weight, count: part.outputCount * inputCount)
            (bias + offset).initialize(from: part.bias, count: part.outputCount)
            offset += part.outputCount
        }
        self.init(weight: weight, bias: bias, outputCount: total, inputCount: inputCount)
    }
}
