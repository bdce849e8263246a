/// `exp` of sixteen lanes for the AVX-512 softmax: Cephes' single-precision scheme, x = n·ln 2
/// + r with n rounded to nearest by the 1.5·2²³ shifter, a degree-6 polynomial in r, and 2ⁿ
/// built in the exponent bits. Arguments are clamped to [−87.3, 88.3] (results 2⁻¹²⁶ to
/// 2¹²⁷, no infinities nor denormals); within 2 units in the last place of `expf` there
/// (the tests compare them).
#if arch(x86_64)
public enum VectorExp {
    /// e^x of every lane.
    @inlinable @inline(__always)
    public static func exp(_ value: SIMD16<Float>) -> SIMD16<Float> {
        let high = SIMD16<Float>(repeating: 88.3), low = SIMD16<Float>(repeating: -87.3)
        var x = value
        x.replace(with: high, where: x .> high)
        x.replace(with: low, where: x .< low)
        let shifter = SIMD16<Float>(repeating: 12_582_912)  // 1.5 · 2²³: adding it rounds to an integer
        let shifted = x * 1.44269504088896341 + shifter
        let n = shifted - shifter
        var r = x - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p = SIMD16<Float>(repeating: 1.9875691500e-4)
        p = SIMD16<Float>(repeating: 1.3981999507e-3).addingProduct(p, r)
        p = SIMD16<Float>(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = SIMD16<Float>(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = SIMD16<Float>(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = SIMD16<Float>(repeating: 5.0000001201e-1).addingProduct(p, r)
        let polynomial = (p * r * r) + r + 1
        // Bit casts between SIMD16<Float> and SIMD16<Int32>: both are sixteen 4-byte lanes in
        // the same 64-byte layout, so this reinterprets each lane's bits and nothing else.
        let exponent = (unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- unsafeBitCast(shifter, to: SIMD16<Int32>.self)
            &+ 127) &<< 23
        return polynomial * unsafeBitCast(exponent, to: SIMD16<Float>.self)
    }
}
#endif
