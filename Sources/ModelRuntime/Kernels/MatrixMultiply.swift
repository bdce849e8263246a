#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Dense layers on the CPU: `Y[M, N] = X[M, K] · Wᵀ + b`, then an optional activation,
/// with `W` pre-packed as a `PackedMatrix`.
///
/// Blocking: each call splits the N panels across cores; a core computes a 4-row × 16-column
/// tile of Y at a time, keeping the 4 × 16 accumulators in vector registers while it walks K
/// once (one aligned panel line and four broadcast inputs per step). A panel (at most
/// 16 × K floats, 96 KiB for K = 1536) stays in L2 while every row block reuses it.
/// The vector code is plain Swift `SIMD16<Float>`, which the compiler lowers to whatever
/// vector unit the build targets (SSE2 on baseline x86-64, AVX2 or AVX-512 when enabled,
/// NEON on arm64).
///
/// Kernel policy, decided once per process from the CPU's features (read at run time,
/// `CPUFeatures`): with AVX-512 (x86-64-v4) the `ModelKernelsAVX512` kernel, a 4-row ×
/// 64-column register tile over four panels with the bias and GELU applied in registers
/// (a batch-32 pass of all-MiniLM-L6-v2 took 1.9× less CPU than with the AVX2 kernel on a
/// Zen 5 core, whose two FMA units are 512 bits wide); else with
/// AVX2 and FMA the `ModelKernelsAVX2` copy of the 4 × 16 tile loop, compiled for Haswell
/// (about 4× the SSE2 lowering of the portable kernel). Both modules are always optimised.
/// Otherwise release builds use the portable vector micro-kernel and debug builds the scalar
/// one, because unoptimised generic `SIMD16` arithmetic costs about 100 ns per lane (30× the
/// scalar loop), which would make every test on the real model take minutes. The
/// environment variable `MODELD_GEMM_KERNEL` = `avx2` or `portable` caps the choice (to
/// compare them). Every available kernel is tested against a naive product in every build.
enum MatrixMultiply {
    /// Which micro-kernel computes the tiles.
    enum Kernel: Sendable, Equatable {
        /// Four rows × one `SIMD16<Float>` of accumulators held in registers, lowered for the
        /// build's baseline CPU (SSE2 on x86-64, NEON on arm64).
        case vector
        /// The same tile with scalar arithmetic on an accumulator block on the stack.
        case scalar
        /// The vector tile compiled for AVX2 + FMA; only valid when `CPUFeatures` has both.
        case avx2
        /// The 4 × 64 tile compiled for AVX-512; only valid when `CPUFeatures.avx512`.
        case avx512

        /// The kernels this CPU can run.
        static let available: [Kernel] = {
            #if arch(x86_64)
            let features = CPUFeatures.current
            var kernels: [Kernel] = [.vector, .scalar]
            if features.avx2 && features.fma { kernels.append(.avx2) }
            if features.avx512 { kernels.append(.avx512) }
            return kernels
            #else
            return [.vector, .scalar]
            #endif
        }()

        /// The process's choice (see the type's kernel policy).
        static let preferred: Kernel = {
            let cap = getenv("MODELD_GEMM_KERNEL").map { String(cString: $0) } ?? ""
            if available.contains(.avx512) && cap != "avx2" && cap != "portable" { return .avx512 }
            if available.contains(.avx2) && cap != "portable" { return .avx2 }
            #if DEBUG
            return .scalar
            #else
            return .vector
            #endif
        }()
    }

    /// What to apply to each output after adding the bias.
    enum Activation: Sendable {
        /// Nothing.
        case identity
        /// Exact GELU, `x · Φ(x)` with the error function.
        case gelu
    }

    /// Rows per micro-tile.
    static let tileRows = 4

    /// Computes `output[M, N] = input[M, K] · Wᵀ + bias` then `activation`, row-major with
    /// row strides K and N.
    static func multiply(
        input: UnsafePointer<Float>, rowCount: Int, weights: PackedMatrix,
        activation: Activation = .identity, kernel: Kernel = .preferred, output: UnsafeMutablePointer<Float>
    ) {
        guard rowCount > 0 else { return }
        if kernel == .avx512 {
            multiplyAVX512(input: input, rowCount: rowCount, weights: weights, activation: activation, output: output)
            return
        }
        // Below ~64 K multiply-adds per core a thread hand-off costs more than it saves.
        let work = rowCount * weights.inputCount * PackedMatrix.panelWidth
        let minimumPanels = max(1, 65_536 / max(work, 1))
        ParallelLoop.forRanges(total: weights.panelCount, minimumSize: minimumPanels) { panels in
            for panel in panels {
                switch kernel {
                case .vector:
                    multiplyPanel(input: input, rowCount: rowCount, weights: weights, panel: panel,
                                  activation: activation, output: output)
                case .scalar:
                    multiplyPanelScalar(input: input, rowCount: rowCount, weights: weights, panel: panel,
                                        activation: activation, output: output)
                case .avx2:
                    multiplyPanelAVX2(input: input, rowCount: rowCount, weights: weights, panel: panel,
                                      activation: activation, output: output)
                case .avx512:
                    preconditionFailure("handled above, by groups of panels")
                }
            }
        }
    }

    /// All rows of Y for one 16-column panel.
    private static func multiplyPanel(
        input: UnsafePointer<Float>, rowCount: Int, weights: PackedMatrix, panel: Int,
        activation: Activation, output: UnsafeMutablePointer<Float>
    ) {
        let inputCount = weights.inputCount
        let width = PackedMatrix.panelWidth
        let panelBase = UnsafePointer(weights.panels.pointer + panel * inputCount * width)
        let bias = UnsafeRawPointer(weights.bias.pointer + panel * width).load(as: SIMD16<Float>.self)
        let firstColumn = panel * width
        let columnCount = min(width, weights.outputCount - firstColumn)
        let stride = weights.outputCount
        var row = 0
        while row < rowCount {
            // A short last tile repeats its last row in the unused slots (valid memory,
            // results dropped) so every tile runs the four-accumulator loop.
            let rows = min(tileRows, rowCount - row)
            let first = input + row * inputCount
            let tile = tile4(first, first + min(1, rows - 1) * inputCount, first + min(2, rows - 1) * inputCount,
                             first + min(3, rows - 1) * inputCount, panel: panelBase, depth: inputCount)
            let destination = output + row * stride + firstColumn
            store(tile.0 + bias, activation: activation, columnCount: columnCount, to: destination)
            if rows > 1 { store(tile.1 + bias, activation: activation, columnCount: columnCount, to: destination + stride) }
            if rows > 2 { store(tile.2 + bias, activation: activation, columnCount: columnCount, to: destination + 2 * stride) }
            if rows > 3 { store(tile.3 + bias, activation: activation, columnCount: columnCount, to: destination + 3 * stride) }
            row += rows
        }
    }

    /// Four rows × sixteen columns, summed over `depth`.
    @inline(__always)
    private static func tile4(
        _ row0: UnsafePointer<Float>, _ row1: UnsafePointer<Float>, _ row2: UnsafePointer<Float>,
        _ row3: UnsafePointer<Float>, panel: UnsafePointer<Float>, depth: Int
    ) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
        var sum0 = SIMD16<Float>(), sum1 = SIMD16<Float>(), sum2 = SIMD16<Float>(), sum3 = SIMD16<Float>()
        var line = UnsafeRawPointer(panel)
        for k in 0..<depth {
            let weights = line.load(as: SIMD16<Float>.self)
            sum0 += weights * row0[k]
            sum1 += weights * row1[k]
            sum2 += weights * row2[k]
            sum3 += weights * row3[k]
            line += 64
        }
        return (sum0, sum1, sum2, sum3)
    }

    /// All rows of Y for one panel, with scalar arithmetic (the debug-build kernel).
    private static func multiplyPanelScalar(
        input: UnsafePointer<Float>, rowCount: Int, weights: PackedMatrix, panel: Int,
        activation: Activation, output: UnsafeMutablePointer<Float>
    ) {
        let inputCount = weights.inputCount
        let width = PackedMatrix.panelWidth
        let panelBase = UnsafePointer(weights.panels.pointer + panel * inputCount * width)
        let bias = weights.bias.pointer + panel * width
        let firstColumn = panel * width
        let columnCount = min(width, weights.outputCount - firstColumn)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: tileRows * width) { buffer in
            let sums = buffer.baseAddress!
            var row = 0
            while row < rowCount {
                let rows = min(tileRows, rowCount - row)
                sums.update(repeating: 0, count: tileRows * width)
                for k in 0..<inputCount {
                    let line = panelBase + k * width
                    for tileRow in 0..<rows {
                        let value = input[(row + tileRow) * inputCount + k]
                        let sum = sums + tileRow * width
                        for lane in 0..<width { sum[lane] += line[lane] * value }
                    }
                }
                for tileRow in 0..<rows {
                    let destination = output + (row + tileRow) * weights.outputCount + firstColumn
                    for lane in 0..<columnCount {
                        let value = sums[tileRow * width + lane] + bias[lane]
                        destination[lane] = activation == .gelu ? GELU.exact(value) : value
                    }
                }
                row += rows
            }
        }
    }

    /// Applies the activation and writes the first `columnCount` lanes.
    @inline(__always)
    private static func store(
        _ value: SIMD16<Float>, activation: Activation, columnCount: Int, to destination: UnsafeMutablePointer<Float>
    ) {
        var result = value
        if case .gelu = activation {
            for lane in 0..<16 { result[lane] = GELU.exact(result[lane]) }
        }
        if columnCount == 16 {
            UnsafeMutableRawPointer(destination).storeBytes(of: result, as: SIMD16<Float>.self)
        } else {
            for lane in 0..<columnCount { destination[lane] = result[lane] }
        }
    }
}
