import ModelFormats
import Testing

/// One crafted file per violation, each with the exact error it must produce.
struct SafetensorsHeaderErrorTests {
    /// A file holding one tensor entry with the given raw JSON fields and `dataBytes` of data.
    private static func oneTensor(_ fields: String, dataBytes: Int) -> [UInt8] {
        SafetensorsFixture.file(json: "{\"t\":{\(fields)}}", dataBytes: dataBytes)
    }

    private static func tensors(_ entries: [String], dataBytes: Int) -> [UInt8] {
        SafetensorsFixture.file(json: "{\(entries.joined(separator: ","))}", dataBytes: dataBytes)
    }

    @Test("a file shorter than 8 bytes is file_too_small")
    func shortFile() {
        #expect(SafetensorsFixture.error([1, 0, 0, 0, 0]) == .fileTooSmall(fileSize: 5))
        #expect(SafetensorsFixture.error([]) == .fileTooSmall(fileSize: 0))
    }

    @Test("a header length of 0 is header_length_zero")
    func zeroLength() {
        #expect(SafetensorsFixture.error(SafetensorsFixture.file(length: 0, header: Array("{}".utf8), dataBytes: 0)) == .headerLengthZero)
    }

    @Test("a header length above the 100 MB cap is header_too_large, even when the file is that big")
    func headerTooLarge() {
        let length = UInt64(SafetensorsHeader.maxHeaderBytes) + 1
        let bytes = SafetensorsFixture.file(length: length, header: Array("{}".utf8), dataBytes: 0)
        #expect(SafetensorsFixture.error(bytes, fileSize: Int(length) + 100) == .headerTooLarge(length: length))
        let huge = SafetensorsFixture.file(length: .max, header: [], dataBytes: 0)
        #expect(SafetensorsFixture.error(huge) == .headerTooLarge(length: .max))
    }

    @Test("a header length past the end of the file is header_past_end")
    func headerPastEnd() {
        let bytes = SafetensorsFixture.file(length: 100, header: Array("{}".utf8), dataBytes: 0)
        #expect(SafetensorsFixture.error(bytes) == .headerPastEnd(length: 100, fileSize: 10))
    }

    @Test("a prefix shorter than 8 + N bytes is header_incomplete")
    func prefixTooShort() {
        let bytes = SafetensorsFixture.validFile([("w", .u8, [4])])
        let needed = bytes.count - 4
        #expect(SafetensorsFixture.error(Array(bytes.dropLast(5)), fileSize: bytes.count) == .prefixTooShort(needed: needed, available: needed - 1))
        #expect(SafetensorsFixture.error(Array(bytes.prefix(3)), fileSize: bytes.count) == .prefixTooShort(needed: 8, available: 3))
    }

    @Test("header bytes that are not UTF-8 (stray, overlong or surrogate encodings) are header_not_utf8",
          arguments: [[0xFF, 0xFE], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82]] as [[UInt8]])
    func notUTF8(bad: [UInt8]) {
        let header: [UInt8] = Array("{\"a".utf8) + bad + Array("\":1}".utf8)
        #expect(SafetensorsFixture.error(SafetensorsFixture.file(length: UInt64(header.count), header: header, dataBytes: 0)) == .headerNotUTF8)
    }

    @Test("a header not starting with '{' is header_not_object", arguments: ["[1,2]", " {}", "\"x\"", "12"])
    func notObject(json: String) {
        #expect(SafetensorsFixture.error(SafetensorsFixture.file(json: json, dataBytes: 0)) == .headerNotObject)
    }

    @Test("malformed JSON is header_invalid_json", arguments: ["{", "{\"a\":}", "{}}", "{} x", "{\"a\":[1,]}", "{'a':1}", "{\"a\":01}"])
    func invalidJSON(json: String) {
        #expect(SafetensorsFixture.error(SafetensorsFixture.file(json: json, dataBytes: 0))?.code == "header_invalid_json")
    }

    @Test("invalid JSON is reported at the file offset of the first bad byte")
    func invalidJSONOffset() {
        #expect(SafetensorsFixture.error(SafetensorsFixture.file(json: "{\"a\":[1,]}", dataBytes: 0)) == .invalidJSON(offset: 8 + 8))
    }

    @Test("a tensor named twice is header_duplicate_key")
    func duplicateTensor() {
        let entry = SafetensorsFixture.entry("w", dtype: "U8", shape: [1], offsets: [0, 1])
        #expect(SafetensorsFixture.error(SafetensorsFixture.file(json: "{\(entry),\(entry)}", dataBytes: 1)) == .duplicateKey("w"))
    }

    @Test("a tensor entry that is not an object is tensor_entry_invalid")
    func entryNotObject() {
        #expect(SafetensorsFixture.error(SafetensorsFixture.file(json: "{\"t\":[1]}", dataBytes: 0)) == .invalidTensorEntry(tensor: "t"))
    }

    @Test("an unknown, missing or non-string dtype is unknown_dtype naming the tensor")
    func unknownDType() {
        let rest = "\"shape\":[1],\"data_offsets\":[0,1]"
        #expect(SafetensorsFixture.error(Self.oneTensor("\"dtype\":\"F7\",\(rest)", dataBytes: 1)) == .unknownDType(tensor: "t", dtype: "F7"))
        #expect(SafetensorsFixture.error(Self.oneTensor("\"dtype\":\"f32\",\(rest)", dataBytes: 1)) == .unknownDType(tensor: "t", dtype: "f32"))
        #expect(SafetensorsFixture.error(Self.oneTensor(rest, dataBytes: 1)) == .unknownDType(tensor: "t", dtype: nil))
        #expect(SafetensorsFixture.error(Self.oneTensor("\"dtype\":8,\(rest)", dataBytes: 1)) == .unknownDType(tensor: "t", dtype: nil))
    }

    @Test("a shape that is not an array of non-negative integers is shape_invalid",
          arguments: ["[-1]", "[1.5]", "[1e400]", "[true]", "\"2\"", "[[1]]", "[null]", "[99999999999999999999]"])
    func invalidShape(shape: String) {
        let bytes = Self.oneTensor("\"dtype\":\"U8\",\"shape\":\(shape),\"data_offsets\":[0,1]", dataBytes: 1)
        #expect(SafetensorsFixture.error(bytes) == .invalidShape(tensor: "t"))
    }

    @Test("a missing shape is shape_invalid")
    func missingShape() {
        #expect(SafetensorsFixture.error(Self.oneTensor("\"dtype\":\"U8\",\"data_offsets\":[0,1]", dataBytes: 1)) == .invalidShape(tensor: "t"))
    }

    @Test("offsets that are not [begin, end] with 0 <= begin <= end are offsets_invalid",
          arguments: ["[0]", "[0,1,2]", "[1,0]", "[-1,1]", "[0,1.0]", "{}", "null", "[0,\"1\"]"])
    func invalidOffsets(offsets: String) {
        let bytes = Self.oneTensor("\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":\(offsets)", dataBytes: 1)
        #expect(SafetensorsFixture.error(bytes) == .invalidOffsets(tensor: "t"))
    }

    @Test("an end offset past the data buffer is offsets_out_of_range")
    func offsetsOutOfRange() {
        let bytes = Self.oneTensor("\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]", dataBytes: 3)
        #expect(SafetensorsFixture.error(bytes) == .offsetsOutOfRange(tensor: "t", end: 4, dataSize: 3))
    }

    @Test("a shape whose element count or byte size overflows 64 bits is size_overflow")
    func sizeOverflow() {
        let elements = Self.oneTensor("\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,1]", dataBytes: 1)
        #expect(SafetensorsFixture.error(elements) == .sizeOverflow(tensor: "t"))
        let bytes = Self.oneTensor("\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,1]", dataBytes: 1)
        #expect(SafetensorsFixture.error(bytes) == .sizeOverflow(tensor: "t"))
    }

    @Test("sub-byte elements that do not fill whole bytes are sub_byte_misaligned")
    func subByteMisaligned() {
        let f4 = Self.oneTensor("\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]", dataBytes: 2)
        #expect(SafetensorsFixture.error(f4) == .subByteMisaligned(tensor: "t", dtype: .f4))
        let f6 = Self.oneTensor("\"dtype\":\"F6_E3M2\",\"shape\":[2,1],\"data_offsets\":[0,2]", dataBytes: 2)
        #expect(SafetensorsFixture.error(f6) == .subByteMisaligned(tensor: "t", dtype: .f6E3M2))
    }

    @Test("a byte range that differs from shape × dtype size is size_mismatch")
    func sizeMismatch() {
        let bytes = Self.oneTensor("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]", dataBytes: 4)
        #expect(SafetensorsFixture.error(bytes) == .sizeMismatch(tensor: "t", expectedBytes: 8, declaredBytes: 4))
    }

    @Test("overlapping byte ranges are tensors_overlap naming both tensors")
    func overlappingTensors() {
        let bytes = Self.tensors([
            SafetensorsFixture.entry("a", dtype: "F32", shape: [2], offsets: [0, 8]),
            SafetensorsFixture.entry("b", dtype: "F32", shape: [2], offsets: [4, 12]),
        ], dataBytes: 12)
        #expect(SafetensorsFixture.error(bytes) == .overlappingTensors(tensor: "b", other: "a"))
        let empty = Self.tensors([
            SafetensorsFixture.entry("a", dtype: "F32", shape: [2], offsets: [0, 8]),
            SafetensorsFixture.entry("inside", dtype: "F32", shape: [0], offsets: [4, 4]),
        ], dataBytes: 8)
        #expect(SafetensorsFixture.error(empty) == .overlappingTensors(tensor: "inside", other: "a"))
    }

    @Test("a hole between tensors or after the last one is data_not_covered")
    func uncoveredBytes() {
        let gap = Self.tensors([
            SafetensorsFixture.entry("a", dtype: "U8", shape: [2], offsets: [0, 2]),
            SafetensorsFixture.entry("b", dtype: "U8", shape: [2], offsets: [5, 7]),
        ], dataBytes: 7)
        #expect(SafetensorsFixture.error(gap) == .uncoveredBytes(begin: 2, end: 5))
        let leading = Self.oneTensor("\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]", dataBytes: 3)
        #expect(SafetensorsFixture.error(leading) == .uncoveredBytes(begin: 0, end: 1))
        let trailing = Self.oneTensor("\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]", dataBytes: 6)
        #expect(SafetensorsFixture.error(trailing) == .uncoveredBytes(begin: 2, end: 6))
        #expect(SafetensorsFixture.error(SafetensorsFixture.file(json: "{}", dataBytes: 1)) == .uncoveredBytes(begin: 0, end: 1))
    }

    @Test("__metadata__ that is not an object of strings is metadata_invalid")
    func invalidMetadata() {
        #expect(SafetensorsFixture.error(SafetensorsFixture.file(json: "{\"__metadata__\":\"pt\"}", dataBytes: 0)) == .invalidMetadata(key: nil))
        #expect(SafetensorsFixture.error(SafetensorsFixture.file(json: "{\"__metadata__\":{\"a\":\"x\",\"n\":1}}", dataBytes: 0)) == .invalidMetadata(key: "n"))
    }
}
