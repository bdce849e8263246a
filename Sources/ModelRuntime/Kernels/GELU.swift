#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The Gaussian error linear unit in its exact form, as BERT's `hidden_act: "gelu"` and
/// PyTorch's `nn.functional.gelu` (approximate="none") compute it.
enum GELU {
    /// `x · ½ · (1 + erf(x / √2))`, with the C library's single-precision `erff`.
    @inline(__always)
    static func exact(_ x: Float) -> Float {
        0.5 * x * (1 + erff(x * 0.70710678118654752440))
    }
}
