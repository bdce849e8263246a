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

/// The AVX-512 epilogue's vector erf and GELU against the C library, on every lane.
@Suite(.enabled(if: CPUFeatures.current.avx512, "needs AVX-512"))
struct KernelVectorGELUTests {
    /// `count` evenly spaced values over `range`, in vectors of sixteen.
    static func samples(_ range: ClosedRange<Float>, count: Int) -> [SIMD16<Float>] {
        let step = (range.upperBound - range.lowerBound) / Float(count - 1)
        return stride(from: 0, to: count, by: 16).map { first in
            var vector = SIMD16<Float>()
            for lane in 0..<16 { vector[lane] = range.lowerBound + Float(min(first + lane, count - 1)) * step }
            return vector
        }
    }

    @Test("erf stays within 4 ulp (5e-7) of erff on [-6, 6], and is exactly ±1 far out")
    func erfMatchesLibm() {
        #if arch(x86_64)
        var worst: Float = 0
        for vector in Self.samples(-6...6, count: 48_000) {
            let fast = VectorGELU.erf(vector)
            for lane in 0..<16 { worst = max(worst, abs(fast[lane] - erff(vector[lane]))) }
        }
        #expect(worst <= 5e-7, "max |erf − erff| \(worst)")
        let far = VectorGELU.erf(SIMD16(repeating: 30))
        #expect(abs(far[0] - 1) <= 1e-7)
        #endif
    }

    @Test("GELU stays within 1e-6 relative of the C library form on [-10, 10]")
    func geluMatchesScalar() {
        #if arch(x86_64)
        var worst: Float = 0
        for vector in Self.samples(-10...10, count: 48_000) {
            let fast = VectorGELU.exact(vector)
            for lane in 0..<16 {
                let expected = GELU.exact(vector[lane])
                worst = max(worst, abs(fast[lane] - expected) / max(1, abs(expected)))
            }
        }
        #expect(worst <= 1e-6, "max relative error \(worst)")
        #endif
    }
}
