#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The numerically stable softmax: subtract the row maximum, exponentiate, divide by the sum.
enum Softmax {
    /// Replaces `count` scores with their softmax. Scores of `-Float.infinity` (masked keys)
    /// become exactly 0; a row with every score masked becomes all zeros rather than NaN.
    static func applyInPlace(_ scores: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        for index in 0..<count { maximum = max(maximum, scores[index]) }
        guard maximum > -Float.infinity else {
            scores.update(repeating: 0, count: count)
            return
        }
        var sum: Float = 0
        for index in 0..<count {
            let value = expf(scores[index] - maximum)
            scores[index] = value
            sum += value
        }
        let scale = 1 / sum
        for index in 0..<count { scores[index] *= scale }
    }
}
