/// The exact GELU, `x · ½ · (1 + erf(x / √2))`, sixteen lanes at a time, for the AVX-512
/// kernel's epilogue.
///
/// `erf` is the rational approximation Eigen and TensorFlow use for f32 (an odd numerator of
/// degree 13 over an even denominator of degree 8, on x clamped to [−4, 4], beyond which erf
/// is ±1 in f32): within 4 units in the last place (5e-7) of the C library's `erff` (the tests
/// compare them), with multiplies, adds and one division, so no lane branches.
#if arch(x86_64)
public enum VectorGELU {
    /// GELU of every lane.
    @inlinable @inline(__always)
    public static func exact(_ x: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16<Float>(repeating: 0.5) * x * (1 + erf(x * 0.70710678118654752440))
    }

    /// erf of every lane.
    @inlinable @inline(__always)
    public static func erf(_ value: SIMD16<Float>) -> SIMD16<Float> {
        // Clamped with compares and blends: `clamped(lowerBound:upperBound:)` lowers to
        // unspecialised per-lane calls of pointwiseMin/Max (12 % of a batch in a profile).
        let limit = SIMD16<Float>(repeating: 4)
        var x = value
        x.replace(with: limit, where: x .> limit)
        x.replace(with: -limit, where: x .< -limit)
        let x2 = x * x
        var p = SIMD16<Float>(repeating: -2.72614225801306e-10)
        p = horner(p, x2, 2.77068142495902e-08)
        p = horner(p, x2, -2.10102402082508e-06)
        p = horner(p, x2, -5.69250639462346e-05)
        p = horner(p, x2, -7.34990630326855e-04)
        p = horner(p, x2, -2.95459980854025e-03)
        p = horner(p, x2, -1.60960333262415e-02)
        var q = SIMD16<Float>(repeating: -1.45660718464996e-05)
        q = horner(q, x2, -2.13374055278905e-04)
        q = horner(q, x2, -1.68282697438203e-03)
        q = horner(q, x2, -7.37332916720468e-03)
        q = horner(q, x2, -1.42647390514189e-02)
        return x * p / q
    }

    /// `p · x2 + c` with one rounding.
    @usableFromInline @inline(__always)
    static func horner(_ p: SIMD16<Float>, _ x2: SIMD16<Float>, _ c: Float) -> SIMD16<Float> {
        SIMD16<Float>(repeating: c).addingProduct(p, x2)
    }
}
#endif
