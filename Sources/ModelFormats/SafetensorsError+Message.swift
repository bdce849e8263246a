/// Human-readable text for `SafetensorsError`, kept apart from the code table.
extension SafetensorsError: CustomStringConvertible {
    /// A clear sentence saying what is wrong, safe to show to the operator.
    public var message: String {
        switch self {
        case .fileTooSmall(let size):
            "file is \(size) bytes, shorter than the 8-byte header length"
        case .headerLengthZero:
            "header length is 0"
        case .headerTooLarge(let length):
            "header length \(length) exceeds the limit of \(SafetensorsHeader.maxHeaderBytes) bytes"
        case .headerPastEnd(let length, let size):
            "header length \(length) runs past the end of the \(size)-byte file"
        case .prefixTooShort(let needed, let available):
            "header needs \(needed) bytes but only \(available) were given"
        case .headerNotUTF8:
            "header is not valid UTF-8"
        case .headerNotObject:
            "header must be a JSON object starting with '{'"
        case .invalidJSON(let offset):
            "header is not valid JSON (at file offset \(offset))"
        case .duplicateKey(let key):
            "header names '\(key)' twice in one JSON object"
        case .invalidTensorEntry(let name):
            "tensor '\(name)': entry is not a JSON object"
        case .unknownDType(let name, let dtype?):
            "tensor '\(name)': unknown dtype '\(dtype)'"
        case .unknownDType(let name, nil):
            "tensor '\(name)': dtype is missing or not a string"
        case .invalidShape(let name):
            "tensor '\(name)': shape must be an array of non-negative integers"
        case .invalidOffsets(let name):
            "tensor '\(name)': data_offsets must be two non-negative integers [begin, end] with begin <= end"
        case .offsetsOutOfRange(let name, let end, let dataSize):
            "tensor '\(name)': end offset \(end) is past the \(dataSize)-byte data buffer"
        case .sizeOverflow(let name):
            "tensor '\(name)': shape is too large (size overflows)"
        case .subByteMisaligned(let name, let dtype):
            "tensor '\(name)': \(dtype.rawValue) elements do not fill whole bytes"
        case .sizeMismatch(let name, let expected, let declared):
            "tensor '\(name)': shape and dtype need \(expected) bytes but data_offsets span \(declared)"
        case .overlappingTensors(let name, let other):
            "tensor '\(name)' overlaps tensor '\(other)'"
        case .uncoveredBytes(let begin, let end):
            "data bytes \(begin)..<\(end) belong to no tensor"
        case .invalidMetadata(let key?):
            "__metadata__ value for '\(key)' is not a string"
        case .invalidMetadata(nil):
            "__metadata__ is not a JSON object"
        case .fileNotFound:
            "file not found"
        case .permissionDenied:
            "permission denied"
        case .unexpectedEndOfFile:
            "file ended before its header did (was it truncated while being read?)"
        case .ioFailed(let operation, let errno):
            "\(operation) failed with errno \(errno)"
        }
    }

    public var description: String { "\(code): \(message)" }
}
