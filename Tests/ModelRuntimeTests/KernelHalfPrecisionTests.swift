import Testing
@testable import ModelRuntime

/// f16 and bf16 to f32 conversion, bit-exact at every special value.
struct KernelHalfPrecisionTests {
    @Test("normal binary16 values convert exactly", arguments: [
        (UInt16(0x3C00), Float(1)), (0xC000, -2), (0x3555, 0.333251953125), (0x7BFF, 65504), (0x0400, 0x1p-14),
    ])
    func normalHalves(bits: UInt16, expected: Float) {
        #expect(HalfPrecision.floatFromHalf(bits) == expected)
    }

    @Test("zeros keep their sign and subnormals convert exactly")
    func zerosAndSubnormals() {
        #expect(HalfPrecision.floatFromHalf(0x0000).bitPattern == Float(0).bitPattern)
        #expect(HalfPrecision.floatFromHalf(0x8000).bitPattern == (-Float(0)).bitPattern)
        #expect(HalfPrecision.floatFromHalf(0x0001) == 0x1p-24)
        #expect(HalfPrecision.floatFromHalf(0x03FF) == 1023 * 0x1p-24)
        #expect(HalfPrecision.floatFromHalf(0x8001) == -0x1p-24)
    }

    @Test("infinities stay infinite and NaN stays NaN with its payload")
    func infinitiesAndNaN() {
        #expect(HalfPrecision.floatFromHalf(0x7C00) == .infinity)
        #expect(HalfPrecision.floatFromHalf(0xFC00) == -.infinity)
        let nan = HalfPrecision.floatFromHalf(0x7E01)
        #expect(nan.isNaN)
        #expect(nan.bitPattern == 0x7FC0_2000)
    }

    @Test("every binary16 pattern agrees with Swift's Float16", .enabled(if: Self.hasFloat16))
    func agreesWithFloat16Everywhere() {
        #if arch(x86_64) || arch(arm64)
        for bits in UInt16.min...UInt16.max {
            let ours = HalfPrecision.floatFromHalf(bits)
            let reference = Float(Float16(bitPattern: bits))
            #expect(ours.bitPattern == reference.bitPattern || (ours.isNaN && reference.isNaN), "0x\(String(bits, radix: 16))")
        }
        #endif
    }

    static var hasFloat16: Bool {
        #if arch(x86_64) || arch(arm64)
        true
        #else
        false
        #endif
    }

    @Test("bfloat16 is the top half of a binary32, specials included")
    func bfloat16() {
        #expect(HalfPrecision.floatFromBFloat16(0x3F80) == 1)
        #expect(HalfPrecision.floatFromBFloat16(0xC049) == Float(bitPattern: 0xC049_0000))
        #expect(HalfPrecision.floatFromBFloat16(0x0001) == Float(bitPattern: 0x0001_0000))
        #expect(HalfPrecision.floatFromBFloat16(0x0001).isSubnormal)
        #expect(HalfPrecision.floatFromBFloat16(0xFF80) == -.infinity)
        #expect(HalfPrecision.floatFromBFloat16(0x7FC1).isNaN)
    }

    @Test("little-endian buffers convert at any alignment")
    func unalignedBuffers() {
        // One spare byte in front puts every value on an odd address.
        let bytes: [UInt8] = [0xAA, 0x00, 0x3C, 0x00, 0xC0, 0x80, 0x3F, 0x00, 0x00, 0x80, 0x3F]
        var halves = [Float](repeating: 0, count: 2)
        var brains = [Float](repeating: 0, count: 1)
        var floats = [Float](repeating: 0, count: 1)
        bytes.withUnsafeBytes { raw in
            HalfPrecision.convertHalves(from: raw.baseAddress! + 1, to: &halves, count: 2)
            HalfPrecision.convertBFloat16s(from: raw.baseAddress! + 5, to: &brains, count: 1)
            HalfPrecision.copyFloats(from: raw.baseAddress! + 7, to: &floats, count: 1)
        }
        #expect(halves == [1, -2])
        #expect(brains == [1])
        #expect(floats == [1])
    }
}
