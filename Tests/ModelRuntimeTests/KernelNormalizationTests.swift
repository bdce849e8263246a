#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import ModelRuntime

/// LayerNorm, softmax and GELU against their definitions.
struct KernelNormalizationTests {
    @Test("LayerNorm gives zero mean, unit variance, then applies gamma and beta")
    func layerNormNormalises() {
        var rows: [Float] = [1, 2, 3, 4, 10, 10, 10, 10]
        let gamma: [Float] = [1, 2, 1, 1]
        let beta: [Float] = [0, 0, 0, 5]
        LayerNorm.apply(&rows, rowCount: 2, width: 4, gamma: gamma, beta: beta, epsilon: 1e-12)
        // Row 1: mean 2.5, biased variance 1.25.
        let scale = 1 / Float(1.25).squareRoot()
        let expected: [Float] = [-1.5 * scale, 2 * -0.5 * scale, 0.5 * scale, 1.5 * scale + 5]
        #expect(zip(rows.prefix(4), expected).allSatisfy { abs($0 - $1) < 1e-5 })
        // Row 2 is constant: (x − mean) is 0, so the output is beta.
        #expect(Array(rows.suffix(4)) == beta)
    }

    @Test("LayerNorm adds the residual before normalising")
    func layerNormAddsResidual() {
        var withResidual: [Float] = [1, 0, 0, 0]
        let residual: [Float] = [0, 2, 3, 4]
        var summed: [Float] = [1, 2, 3, 4]
        let ones = [Float](repeating: 1, count: 4), zeros = [Float](repeating: 0, count: 4)
        LayerNorm.apply(&withResidual, residual: residual, rowCount: 1, width: 4, gamma: ones, beta: zeros, epsilon: 1e-5)
        LayerNorm.apply(&summed, rowCount: 1, width: 4, gamma: ones, beta: zeros, epsilon: 1e-5)
        #expect(withResidual == summed)
    }

    @Test("softmax sums to one and survives scores far beyond exp's range")
    func softmaxIsStable() {
        var scores: [Float] = [1000, 1001, 999]
        Softmax.applyInPlace(&scores, count: 3)
        #expect(abs(scores.reduce(0, +) - 1) < 1e-6)
        let e = Float(M_E)
        #expect(abs(scores[1] - e / (1 + e + 1 / e)) < 1e-6)
    }

    @Test("masked scores get zero weight and the rest renormalise")
    func softmaxMasksKeys() {
        var masked: [Float] = [0.5, -.infinity, 2, -.infinity]
        var unmasked: [Float] = [0.5, 2]
        Softmax.applyInPlace(&masked, count: 4)
        Softmax.applyInPlace(&unmasked, count: 2)
        #expect(masked == [unmasked[0], 0, unmasked[1], 0])
    }

    @Test("a fully masked row becomes zeros, not NaN")
    func softmaxAllMaskedIsZero() {
        var scores: [Float] = [-.infinity, -.infinity]
        Softmax.applyInPlace(&scores, count: 2)
        #expect(scores == [0, 0])
    }

    @Test("GELU is the exact erf form, not the tanh approximation")
    func geluMatchesErfForm() {
        // x · Φ(x) from Python: torch.nn.functional.gelu(torch.tensor(x, dtype=torch.float64)).
        let cases: [(Float, Float)] = [(0, 0), (1, 0.8413447460685429), (-1, -0.15865525393145707),
                                       (2, 1.9544997361036416), (-3, -0.004049694733453), (0.5, 0.34573123063700656)]
        for (x, expected) in cases {
            #expect(abs(GELU.exact(x) - expected) < 1e-6, "gelu(\(x)) = \(GELU.exact(x))")
        }
        // The tanh approximation gives 0.841192 at 1: far enough to tell apart.
        #expect(abs(GELU.exact(1) - 0.841192) > 1e-4)
    }
}
