/// The element types a safetensors file may declare, spelled as in the header's `"dtype"`.
///
/// The list follows the reference implementation (huggingface/safetensors 0.8 `Dtype`).
/// Most types are whole bytes; `F4`, `F6_E2M3` and `F6_E3M2` are packed sub-byte types whose
/// elements are not byte-addressable. A tensor of a sub-byte type is accepted only when its
/// elements fill whole bytes (elements × bits is a multiple of 8), as the reference requires;
/// otherwise parsing throws `SafetensorsError.subByteMisaligned`.
public enum SafetensorsDType: String, CaseIterable, Sendable {
    /// Boolean, one byte per element.
    case bool = "BOOL"
    /// 4-bit float (E2M1), two elements per byte.
    case f4 = "F4"
    /// 6-bit float (E2M3), four elements per three bytes.
    case f6E2M3 = "F6_E2M3"
    /// 6-bit float (E3M2), four elements per three bytes.
    case f6E3M2 = "F6_E3M2"
    /// Unsigned 8-bit integer.
    case u8 = "U8"
    /// Signed 8-bit integer.
    case i8 = "I8"
    /// 8-bit float, 5 exponent and 2 mantissa bits (arXiv 2209.05433).
    case f8E5M2 = "F8_E5M2"
    /// 8-bit float, 4 exponent and 3 mantissa bits (arXiv 2209.05433).
    case f8E4M3 = "F8_E4M3"
    /// 8-bit exponent-only scale (E8M0), used by MX block formats.
    case f8E8M0 = "F8_E8M0"
    /// 8-bit float E4M3, finite only, unsigned zero (AMD variant).
    case f8E4M3FNUZ = "F8_E4M3FNUZ"
    /// 8-bit float E5M2, finite only, unsigned zero (AMD variant).
    case f8E5M2FNUZ = "F8_E5M2FNUZ"
    /// Signed 16-bit integer.
    case i16 = "I16"
    /// Unsigned 16-bit integer.
    case u16 = "U16"
    /// IEEE 754 half-precision float.
    case f16 = "F16"
    /// Brain float: f32's exponent with a 7-bit mantissa.
    case bf16 = "BF16"
    /// Signed 32-bit integer.
    case i32 = "I32"
    /// Unsigned 32-bit integer.
    case u32 = "U32"
    /// IEEE 754 single-precision float.
    case f32 = "F32"
    /// Complex number of two `F32` parts.
    case c64 = "C64"
    /// IEEE 754 double-precision float.
    case f64 = "F64"
    /// Signed 64-bit integer.
    case i64 = "I64"
    /// Unsigned 64-bit integer.
    case u64 = "U64"

    /// Size of one element in bits.
    public var bitSize: Int {
        switch self {
        case .f4: 4
        case .f6E2M3, .f6E3M2: 6
        case .bool, .u8, .i8, .f8E5M2, .f8E4M3, .f8E8M0, .f8E4M3FNUZ, .f8E5M2FNUZ: 8
        case .i16, .u16, .f16, .bf16: 16
        case .i32, .u32, .f32: 32
        case .c64, .f64, .i64, .u64: 64
        }
    }

    /// Size of one element in bytes, or `nil` for the packed sub-byte types.
    public var byteSize: Int? {
        isSubByte ? nil : bitSize / 8
    }

    /// Whether elements are packed below byte granularity (`F4`, `F6_*`).
    public var isSubByte: Bool {
        bitSize % 8 != 0
    }

    /// Bytes taken by `elementCount` elements.
    ///
    /// - Returns: `.overflow` when the size does not fit in `Int`, `.misaligned` when a
    ///   sub-byte type's elements do not end on a byte boundary.
    func byteCount(elementCount: Int) -> ByteCount {
        let (bits, overflow) = elementCount.multipliedReportingOverflow(by: bitSize)
        if overflow { return .overflow }
        if bits % 8 != 0 { return .misaligned }
        return .bytes(bits / 8)
    }

    /// The outcome of `byteCount(elementCount:)`.
    enum ByteCount: Equatable {
        case bytes(Int)
        case overflow
        case misaligned
    }
}
