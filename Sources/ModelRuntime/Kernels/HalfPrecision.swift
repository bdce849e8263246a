/// Conversions from the 16-bit float formats a safetensors file may hold to `Float`, bit-exact
/// for every input (zeros, subnormals, infinities and NaN payloads included) and independent
/// of the CPU's F16C support.
enum HalfPrecision {
    /// Converts an IEEE 754 binary16 bit pattern to `Float` (exact: every binary16 value is
    /// representable in binary32).
    @inline(__always)
    static func floatFromHalf(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: the value is mantissa × 2⁻²⁴, exact in binary32.
            let magnitude = Float(mantissa) * 0x1p-24
            return Float(bitPattern: sign | magnitude.bitPattern)
        case 0x1F:
            // Infinity or NaN; a NaN keeps its payload in the top mantissa bits.
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            // Re-bias the exponent from 15 to 127.
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// Converts a bfloat16 bit pattern to `Float`: bfloat16 is the top half of a binary32.
    @inline(__always)
    static func floatFromBFloat16(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Converts `count` little-endian binary16 values starting at `source` (any alignment).
    static func convertHalves(
        from source: UnsafeRawPointer, to destination: UnsafeMutablePointer<Float>, count: Int
    ) {
        for index in 0..<count {
            let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
            destination[index] = floatFromHalf(bits)
        }
    }

    /// Converts `count` little-endian bfloat16 values starting at `source` (any alignment).
    static func convertBFloat16s(
        from source: UnsafeRawPointer, to destination: UnsafeMutablePointer<Float>, count: Int
    ) {
        for index in 0..<count {
            let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
            destination[index] = floatFromBFloat16(bits)
        }
    }

    /// Copies `count` little-endian binary32 values starting at `source` (any alignment).
    static func copyFloats(
        from source: UnsafeRawPointer, to destination: UnsafeMutablePointer<Float>, count: Int
    ) {
        for index in 0..<count {
            let bits = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
            destination[index] = Float(bitPattern: bits)
        }
    }
}
