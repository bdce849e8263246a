#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The vector features of the CPU this process runs on, read once from Linux's
/// `/proc/cpuinfo` so that one binary can pick its GEMM kernel at run time.
///
/// The kernel lists a flag only when the CPU has it *and* the kernel saves its registers
/// (XSAVE with the AVX state enabled), so `avx2` there means the instructions are usable.
struct CPUFeatures: Sendable, Equatable {
    /// The CPU executes AVX2 256-bit integer and float instructions.
    var avx2: Bool
    /// The CPU executes the FMA3 fused multiply-add instructions.
    var fma: Bool
    /// The CPU executes the x86-64-v4 AVX-512 subsets: F, BW, CD, DQ and VL.
    var avx512: Bool

    /// The features of this machine (none when `/proc/cpuinfo` is unreadable, as on macOS).
    static let current: CPUFeatures = CPUFeatures(flagsLine: firstFlagsLine() ?? "")

    /// Parses a `flags : fpu vme ... avx2 ... fma ...` line (any other text gives no features).
    init(flagsLine: String) {
        let words = Set(flagsLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }))
        avx2 = words.contains("avx2")
        fma = words.contains("fma")
        avx512 = ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"].allSatisfy { words.contains(Substring($0)) }
    }

    /// The first `flags` line of `/proc/cpuinfo`; all cores of one machine list the same ones.
    private static func firstFlagsLine() -> String? {
        guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(file) }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        while getline(&buffer, &capacity, file) > 0 {
            guard let buffer else { break }
            let line = String(cString: buffer)
            if line.hasPrefix("flags") { return line }
        }
        return nil
    }
}
