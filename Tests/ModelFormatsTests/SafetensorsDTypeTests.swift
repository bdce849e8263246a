import ModelFormats
import Testing

struct SafetensorsDTypeTests {
    @Test("each dtype has the reference implementation's spelling and bit size")
    func spellingsAndSizes() {
        let expected: [String: Int] = [
            "BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8,
            "F8_E8M0": 8, "F8_E4M3FNUZ": 8, "F8_E5M2FNUZ": 8, "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
            "I32": 32, "U32": 32, "F32": 32, "C64": 64, "F64": 64, "I64": 64, "U64": 64,
        ]
        #expect(SafetensorsDType.allCases.count == expected.count)
        for dtype in SafetensorsDType.allCases {
            #expect(expected[dtype.rawValue] == dtype.bitSize, "\(dtype)")
        }
    }

    @Test("whole-byte dtypes report a byte size and sub-byte ones report none")
    func byteSizes() {
        #expect(SafetensorsDType.f32.byteSize == 4)
        #expect(SafetensorsDType.bf16.byteSize == 2)
        #expect(SafetensorsDType.bool.byteSize == 1)
        #expect(SafetensorsDType.c64.byteSize == 8)
        #expect(SafetensorsDType.f4.byteSize == nil && SafetensorsDType.f4.isSubByte)
        #expect(SafetensorsDType.f6E2M3.byteSize == nil && SafetensorsDType.f6E2M3.isSubByte)
        #expect(SafetensorsDType.allCases.filter(\.isSubByte) == [.f4, .f6E2M3, .f6E3M2])
    }

    @Test("dtype names are case-sensitive, as in the reference")
    func caseSensitive() {
        #expect(SafetensorsDType(rawValue: "f32") == nil)
        #expect(SafetensorsDType(rawValue: "F32") == .f32)
    }
}
