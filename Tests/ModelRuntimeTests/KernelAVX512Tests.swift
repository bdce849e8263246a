#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if arch(x86_64)
import ModelKernelsAVX512
#endif
import Testing
@testable import ModelRuntime

/// The AVX-512 attention and LayerNorm kernels against plain loops in Double.
@Suite(.enabled(if: CPUFeatures.current.avx512, "needs AVX-512"))
struct KernelAVX512Tests {
    @Test("attention of one head equals softmax(QKᵀ·scale)·V computed in Double", arguments: [(1, 32), (7, 32), (16, 32), (21, 64), (40, 16), (33, 128)])
    func attentionMatchesNaive(length: Int, headSize: Int) {
        #if arch(x86_64)
        var values = KernelMatrixMultiplyTests.SeededValues(state: UInt64(length * 100 + headSize))
        let stride = 3 * headSize + 5  // rows wider than one head, as in the fused Q/K/V buffer
        let rows = values.array(length * stride).map { $0 * 3 }
        var context = [Float](repeating: .nan, count: length * headSize)
        var workspace = [Float](repeating: .nan, count: AttentionKernelAVX512.workspaceCount(length: length, headSize: headSize))
        let scale = 1 / Float(headSize).squareRoot()
        rows.withUnsafeBufferPointer { qkv in
            AttentionKernelAVX512.attend(
                queries: qkv.baseAddress!, keys: qkv.baseAddress! + headSize, values: qkv.baseAddress! + 2 * headSize,
                rowStride: stride, length: length, headSize: headSize, scale: scale,
                workspace: &workspace, context: &context, contextStride: headSize)
        }
        var worst = 0.0
        for query in 0..<length {
            let logits = (0..<length).map { key in
                (0..<headSize).reduce(0.0) { $0 + Double(rows[query * stride + $1]) * Double(rows[key * stride + headSize + $1]) }
                    * Double(scale)
            }
            let top = logits.max()!
            let weights = logits.map { exp($0 - top) }
            let total = weights.reduce(0, +)
            for index in 0..<headSize {
                let expected = (0..<length).reduce(0.0) { $0 + weights[$1] / total * Double(rows[$1 * stride + 2 * headSize + index]) }
                worst = max(worst, abs(expected - Double(context[query * headSize + index])))
            }
        }
        #expect(worst <= 1e-5, "max error \(worst)")
        #endif
    }

    @Test("vector exp stays within 2 ulp of expf on [-87, 88] and clamps beyond")
    func expMatchesLibm() {
        #if arch(x86_64)
        var worst: Float = 0
        for first in stride(from: 0, to: 200_000, by: 16) {
            var x = SIMD16<Float>()
            for lane in 0..<16 { x[lane] = -87 + Float(first + lane) * (175 / 200_000) }
            let fast = VectorExp.exp(x)
            for lane in 0..<16 {
                let expected = expf(x[lane])
                worst = max(worst, abs(fast[lane] - expected) / expected)
            }
        }
        #expect(worst <= 2.4e-7, "max relative error \(worst)")
        let far = VectorExp.exp(SIMD16(repeating: -1000))
        #expect(far[0] >= 0 && far[0] < 1e-37)
        #endif
    }

    @Test("LayerNorm with a residual equals the portable row normalisation", arguments: [16, 384])
    func layerNormMatchesPortable(width: Int) {
        #if arch(x86_64)
        var values = KernelMatrixMultiplyTests.SeededValues(state: UInt64(width))
        let rowCount = 5
        let input = values.array(rowCount * width).map { $0 * 4 + 1 }
        let residual = values.array(rowCount * width)
        let gamma = values.array(width), beta = values.array(width)
        var fast = input
        residual.withUnsafeBufferPointer { added in
            LayerNormKernelAVX512.normalizeRows(&fast, residual: added.baseAddress!, rowCount: rowCount, width: width,
                                                gamma: gamma, beta: beta, epsilon: 1e-12)
        }
        var portable = zip(input, residual).map { $0 + $1 }
        portable.withUnsafeMutableBufferPointer { rows in
            for row in 0..<rowCount {
                LayerNorm.normalizeRow(rows.baseAddress! + row * width, width: width, gamma: gamma, beta: beta, epsilon: 1e-12)
            }
        }
        let worst = zip(fast, portable).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5, "max difference \(worst)")
        #endif
    }
}
