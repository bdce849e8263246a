import ModelFormats
import Testing

struct SafetensorsErrorTests {
    /// One instance of every case.
    private static let samples: [SafetensorsError] = [
        .fileTooSmall(fileSize: 3), .headerLengthZero, .headerTooLarge(length: 1 << 40),
        .headerPastEnd(length: 9, fileSize: 8), .prefixTooShort(needed: 16, available: 8),
        .headerNotUTF8, .headerNotObject, .invalidJSON(offset: 9), .duplicateKey("k"), .invalidTensorEntry(tensor: "t"),
        .unknownDType(tensor: "t", dtype: "X"), .invalidShape(tensor: "t"), .invalidOffsets(tensor: "t"),
        .offsetsOutOfRange(tensor: "t", end: 9, dataSize: 8), .sizeOverflow(tensor: "t"),
        .subByteMisaligned(tensor: "t", dtype: .f4), .sizeMismatch(tensor: "t", expectedBytes: 8, declaredBytes: 4),
        .overlappingTensors(tensor: "t", other: "u"), .uncoveredBytes(begin: 0, end: 1),
        .invalidMetadata(key: "k"), .fileNotFound, .permissionDenied, .unexpectedEndOfFile,
        .ioFailed(operation: "pread", errno: 5),
    ]

    @Test("every error has its own stable snake_case code")
    func codesAreUniqueSnakeCase() {
        let codes = Self.samples.map(\.code)
        #expect(Set(codes).count == codes.count)
        for code in codes {
            #expect(!code.isEmpty && code.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }, "\(code)")
        }
    }

    @Test("tensor errors name their tensor in the field and in the message")
    func tensorErrorsNameTheTensor() {
        for error in Self.samples where error.tensorName != nil {
            #expect(error.tensorName == "t")
            #expect(error.message.contains("'t'"), "\(error.code)")
        }
        #expect(Self.samples.filter { $0.tensorName != nil }.count == 9)
    }

    @Test("the description for logs is the code followed by the message")
    func descriptionJoinsCodeAndMessage() {
        let error = SafetensorsError.sizeMismatch(tensor: "w", expectedBytes: 8, declaredBytes: 4)
        #expect(error.description == "size_mismatch: tensor 'w': shape and dtype need 8 bytes but data_offsets span 4")
    }
}
