import Testing
@testable import ModelRuntime

/// `MatrixMultiply` and `PackedMatrix` against a naive triple loop on odd shapes.
struct KernelMatrixMultiplyTests {
    /// A small deterministic generator (SplitMix64) so failures reproduce.
    struct SeededValues {
        var state: UInt64

        mutating func next() -> Float {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Float(z >> 40) / Float(1 << 24) * 2 - 1
        }

        mutating func array(_ count: Int) -> [Float] {
            (0..<count).map { _ in next() }
        }
    }

    /// `input · weightᵀ + bias`, then `activation`, in Double.
    static func naive(input: [Float], weight: [Float], bias: [Float], rows: Int, outputs: Int, inputs: Int,
                      activation: MatrixMultiply.Activation) -> [Float] {
        var result = [Float](repeating: 0, count: rows * outputs)
        for row in 0..<rows {
            for output in 0..<outputs {
                var sum = Double(bias[output])
                for k in 0..<inputs { sum += Double(input[row * inputs + k]) * Double(weight[output * inputs + k]) }
                result[row * outputs + output] = activation == .gelu ? GELU.exact(Float(sum)) : Float(sum)
            }
        }
        return result
    }

    static func run(rows: Int, outputs: Int, inputs: Int, activation: MatrixMultiply.Activation, seed: UInt64,
                    kernel: MatrixMultiply.Kernel) -> (fast: [Float], naive: [Float]) {
        var values = SeededValues(state: seed)
        let input = values.array(rows * inputs)
        let weight = values.array(outputs * inputs)
        let bias = values.array(outputs)
        let packed = PackedMatrix(weight: weight, bias: bias, outputCount: outputs, inputCount: inputs)
        var fast = [Float](repeating: .nan, count: rows * outputs)
        input.withUnsafeBufferPointer { source in
            fast.withUnsafeMutableBufferPointer { destination in
                MatrixMultiply.multiply(input: source.baseAddress!, rowCount: rows, weights: packed,
                                        activation: activation, kernel: kernel, output: destination.baseAddress!)
            }
        }
        let expected = naive(input: input, weight: weight, bias: bias, rows: rows, outputs: outputs,
                             inputs: inputs, activation: activation)
        return (fast, expected)
    }

    @Test("every kernel this CPU runs equals the naive product on odd shapes", arguments: MatrixMultiply.Kernel.available, [
        (1, 1, 1), (3, 5, 7), (4, 16, 16), (5, 17, 33), (7, 31, 100), (13, 48, 384), (70, 100, 9), (129, 1152, 384),
        (97, 130, 5), (200, 70, 1536),  // row blocks with a short last one; several groups per chunk
    ])
    func packedMatchesNaive(kernel: MatrixMultiply.Kernel, shape: (rows: Int, outputs: Int, inputs: Int)) {
        let (fast, expected) = Self.run(rows: shape.rows, outputs: shape.outputs, inputs: shape.inputs,
                                        activation: .identity, seed: UInt64(shape.rows * 1000 + shape.outputs),
                                        kernel: kernel)
        let worst = zip(fast, expected).map { abs($0 - $1) }.max() ?? 0
        // f32 accumulation over K terms of magnitude ≤ 1: error grows about √K · 2⁻²⁴ · K.
        #expect(worst <= 1e-5 * Float(shape.inputs), "max error \(worst)")
    }

    @Test("the GELU epilogue equals GELU applied to the naive product", arguments: MatrixMultiply.Kernel.available)
    func geluEpilogueMatchesNaive(kernel: MatrixMultiply.Kernel) {
        let (fast, expected) = Self.run(rows: 9, outputs: 37, inputs: 21, activation: .gelu, seed: 7, kernel: kernel)
        let worst = zip(fast, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-4, "max error \(worst)")
    }

    @Test("every kernel matches the naive product with GELU on MiniLM's feed-forward shape",
          arguments: MatrixMultiply.Kernel.available)
    func geluEpilogueOnFeedForwardShape(kernel: MatrixMultiply.Kernel) {
        let (fast, expected) = Self.run(rows: 10, outputs: 1536, inputs: 384, activation: .gelu, seed: 3, kernel: kernel)
        let worst = zip(fast, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5 * 384, "max error \(worst)")
    }

    @Test("the CPU flags line enables the AVX2 kernel only with both avx2 and fma")
    func cpuFlagsParsing() {
        let both = CPUFeatures(flagsLine: "flags\t\t: fpu sse2 avx fma avx2 bmi2\n")
        #expect(both.avx2 && both.fma)
        let noFMA = CPUFeatures(flagsLine: "flags\t\t: fpu sse2 avx avx2\n")
        #expect(noFMA.avx2 && !noFMA.fma)
        let lookalike = CPUFeatures(flagsLine: "flags\t\t: avx512f avx2x fma4\n")
        #expect(!lookalike.avx2 && !lookalike.fma && !lookalike.avx512)
        let zen4 = CPUFeatures(flagsLine: "flags\t\t: avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl avx512_vnni\n")
        #expect(zen4.avx512)
        let noVL = CPUFeatures(flagsLine: "flags\t\t: avx2 fma avx512f avx512dq avx512cd avx512bw\n")
        #expect(!noVL.avx512)
    }

    @Test("stacking query, key and value packs them as one matrix with outputs in order")
    func stackingConcatenatesOutputs() {
        var values = SeededValues(state: 11)
        let inputs = 10
        let parts = (0..<3).map { _ in (weight: values.array(5 * inputs), bias: values.array(5)) }
        let input = values.array(2 * inputs)
        let stacked = parts[0].weight.withUnsafeBufferPointer { w0 in
            parts[1].weight.withUnsafeBufferPointer { w1 in
                parts[2].weight.withUnsafeBufferPointer { w2 in
                    parts[0].bias.withUnsafeBufferPointer { b0 in
                        parts[1].bias.withUnsafeBufferPointer { b1 in
                            parts[2].bias.withUnsafeBufferPointer { b2 in
                                PackedMatrix(stacking: [(w0.baseAddress!, b0.baseAddress!, 5), (w1.baseAddress!, b1.baseAddress!, 5),
                                                        (w2.baseAddress!, b2.baseAddress!, 5)], inputCount: inputs)
                            }
                        }
                    }
                }
            }
        }
        var output = [Float](repeating: 0, count: 2 * 15)
        MatrixMultiply.multiply(input: input, rowCount: 2, weights: stacked, output: &output)
        let expected = Self.naive(input: input, weight: parts.flatMap(\.weight), bias: parts.flatMap(\.bias),
                                  rows: 2, outputs: 15, inputs: inputs, activation: .identity)
        #expect(zip(output, expected).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(stacked.outputCount == 15 && stacked.panelCount == 1)
    }
}
