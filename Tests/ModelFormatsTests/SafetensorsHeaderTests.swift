import ModelFormats
import Testing

struct SafetensorsHeaderTests {
    @Test("a valid file yields its tensors sorted by offset with absolute byte ranges")
    func validFileParses() throws {
        let bytes = SafetensorsFixture.validFile([
            ("weight", .f32, [2, 3]),
            ("bias", .f16, [3]),
            ("scale", .bf16, []),
        ])
        let header = try SafetensorsFixture.parse(bytes)
        let start = header.dataStart
        #expect(header.tensors.map(\.name) == ["weight", "bias", "scale"])
        #expect(header.tensors.map(\.dataRange) == [start..<(start + 24), (start + 24)..<(start + 30), (start + 30)..<(start + 32)])
        #expect(header.tensors[0].shape == [2, 3])
        #expect(header.tensors[0].elementCount == 6)
        #expect(header.tensors[2].elementCount == 1)
        #expect(header.tensors[1].dtype == .f16)
        #expect(header.totalDataBytes == 32)
        #expect(header.fileSize == bytes.count)
        #expect(header.dataStart == 8 + header.headerLength)
        #expect(header.dataStart % 8 == 0)
        #expect(header.metadata.isEmpty)
    }

    @Test("tensors listed out of offset order in the JSON come back sorted by offset")
    func tensorsAreSortedByOffset() throws {
        let json = "{" + [
            SafetensorsFixture.entry("c", dtype: "U8", shape: [2], offsets: [6, 8]),
            SafetensorsFixture.entry("a", dtype: "I32", shape: [1], offsets: [0, 4]),
            SafetensorsFixture.entry("b", dtype: "I16", shape: [1], offsets: [4, 6]),
        ].joined(separator: ",") + "}"
        let header = try SafetensorsFixture.parse(SafetensorsFixture.file(json: json, dataBytes: 8))
        #expect(header.tensors.map(\.name) == ["a", "b", "c"])
        #expect(header.tensor(named: "b")?.byteCount == 2)
        #expect(header.tensor(named: "missing") == nil)
    }

    @Test("a file of each dtype parses with the dtype's byte size", arguments: SafetensorsDType.allCases)
    func eachDTypeParses(dtype: SafetensorsDType) throws {
        // 8 elements fill whole bytes for every dtype, including the 4- and 6-bit ones.
        let header = try SafetensorsFixture.parse(SafetensorsFixture.validFile([("t", dtype, [2, 4])]))
        let tensor = try #require(header.tensors.first)
        #expect(tensor.dtype == dtype)
        #expect(tensor.byteCount == 8 * dtype.bitSize / 8)
        #expect(header.totalDataBytes == tensor.byteCount)
    }

    @Test("__metadata__ strings are returned and are not taken for a tensor")
    func metadataIsParsed() throws {
        let bytes = SafetensorsFixture.validFile([("w", .f32, [1])], metadata: ["format": "pt", "note": "x"])
        let header = try SafetensorsFixture.parse(bytes)
        #expect(header.metadata == ["format": "pt", "note": "x"])
        #expect(header.tensors.map(\.name) == ["w"])
    }

    @Test("a null __metadata__ counts as absent, as in the reference implementation")
    func nullMetadataIsEmpty() throws {
        let json = "{\"__metadata__\":null," + SafetensorsFixture.entry("w", dtype: "U8", shape: [1], offsets: [0, 1]) + "}"
        let header = try SafetensorsFixture.parse(SafetensorsFixture.file(json: json, dataBytes: 1))
        #expect(header.metadata.isEmpty)
    }

    @Test("an empty object with no data is a valid file of zero tensors")
    func emptyHeaderIsValid() throws {
        let header = try SafetensorsFixture.parse(SafetensorsFixture.file(json: "{}", dataBytes: 0))
        #expect(header.tensors.isEmpty)
        #expect(header.totalDataBytes == 0)
    }

    @Test("zero-element tensors take no bytes and may share an offset with the next tensor")
    func zeroSizedTensorsAreValid() throws {
        let json = "{" + [
            SafetensorsFixture.entry("empty", dtype: "F32", shape: [0, 5], offsets: [0, 0]),
            SafetensorsFixture.entry("w", dtype: "U8", shape: [2], offsets: [0, 2]),
            SafetensorsFixture.entry("tail", dtype: "F64", shape: [3, 0], offsets: [2, 2]),
        ].joined(separator: ",") + "}"
        let header = try SafetensorsFixture.parse(SafetensorsFixture.file(json: json, dataBytes: 2))
        #expect(header.tensors.map(\.name) == ["empty", "w", "tail"])
        #expect(header.tensors.map(\.byteCount) == [0, 2, 0])
    }

    @Test("unknown fields inside a tensor entry are ignored, as in the reference")
    func unknownEntryFieldsAreIgnored() throws {
        let json = #"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":[1,{"x":null}]}}"#
        let header = try SafetensorsFixture.parse(SafetensorsFixture.file(json: json, dataBytes: 1))
        #expect(header.tensors.count == 1)
    }

    @Test("JSON escapes in tensor names are decoded")
    func escapedNamesAreDecoded() throws {
        let json = #"{"a\"b\u00e9":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#
        let header = try SafetensorsFixture.parse(SafetensorsFixture.file(json: json, dataBytes: 1))
        #expect(header.tensors.first?.name == "a\"bé")
    }

    @Test("the prefix may hold the header only, or the whole file; extra bytes are not read")
    func prefixLengths() throws {
        let bytes = SafetensorsFixture.validFile([("w", .f32, [4])])
        let needed = try SafetensorsHeader.requiredPrefixLength(prefix: Array(bytes[0..<8]), fileSize: bytes.count)
        #expect(needed == bytes.count - 16)
        let fromHeaderOnly = try SafetensorsHeader.parse(prefix: Array(bytes[0..<needed]), fileSize: bytes.count)
        let fromWholeFile = try SafetensorsFixture.parse(bytes)
        #expect(fromHeaderOnly == fromWholeFile)
    }
}
