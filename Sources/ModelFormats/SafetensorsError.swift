/// Everything that can be wrong with a safetensors file, one case per violation.
///
/// `code` is stable snake_case for machines (the loader copies it into its API error);
/// `message` is a clear sentence for people. Neither includes the file path: the loader knows
/// which file it opened. `description` (for logs) is `code: message`.
public enum SafetensorsError: Error, Equatable, Sendable {
    /// The file is shorter than the 8-byte header-length prefix.
    case fileTooSmall(fileSize: Int)
    /// The header length prefix is 0: there is no JSON header at all.
    case headerLengthZero
    /// The header length prefix exceeds `SafetensorsHeader.maxHeaderBytes`.
    case headerTooLarge(length: UInt64)
    /// The header length prefix points past the end of the file (a truncated file).
    case headerPastEnd(length: UInt64, fileSize: Int)
    /// The caller passed fewer bytes than the header needs (API misuse, not a bad file).
    case prefixTooShort(needed: Int, available: Int)
    /// The header bytes are not valid UTF-8.
    case headerNotUTF8
    /// The header does not start with `{`: it is not a JSON object.
    case headerNotObject
    /// The header is not valid (RFC 8259) JSON; `offset` is the file offset of the first
    /// byte that breaks the grammar.
    case invalidJSON(offset: Int)
    /// One JSON object names the same key twice (a tensor listed twice, for instance).
    case duplicateKey(String)
    /// A tensor's entry is not a JSON object.
    case invalidTensorEntry(tensor: String)
    /// A tensor's `dtype` is missing, not a string (`nil`), or not a known type.
    case unknownDType(tensor: String, dtype: String?)
    /// A tensor's `shape` is missing or not an array of non-negative integers.
    case invalidShape(tensor: String)
    /// A tensor's `data_offsets` are missing, not two non-negative integers, or begin > end.
    case invalidOffsets(tensor: String)
    /// A tensor's end offset lies past the end of the data buffer.
    case offsetsOutOfRange(tensor: String, end: Int, dataSize: Int)
    /// A tensor's element count or byte size overflows a 64-bit integer.
    case sizeOverflow(tensor: String)
    /// A sub-byte tensor's elements do not fill whole bytes.
    case subByteMisaligned(tensor: String, dtype: SafetensorsDType)
    /// A tensor's byte range length differs from shape × dtype size.
    case sizeMismatch(tensor: String, expectedBytes: Int, declaredBytes: Int)
    /// Two tensors' byte ranges overlap.
    case overlappingTensors(tensor: String, other: String)
    /// Part of the data buffer belongs to no tensor (relative offsets `begin..<end`).
    case uncoveredBytes(begin: Int, end: Int)
    /// `__metadata__` is not an object of strings; `key` names the bad value, if any.
    case invalidMetadata(key: String?)
    /// The file does not exist.
    case fileNotFound
    /// The file exists but may not be read.
    case permissionDenied
    /// The file shrank while it was being read.
    case unexpectedEndOfFile
    /// A system call failed; `operation` names it, `errno` is captured at the failure site.
    case ioFailed(operation: String, errno: Int32)

    /// A stable snake_case identifier for this kind of error.
    public var code: String {
        switch self {
        case .fileTooSmall: "file_too_small"
        case .headerLengthZero: "header_length_zero"
        case .headerTooLarge: "header_too_large"
        case .headerPastEnd: "header_past_end"
        case .prefixTooShort: "header_incomplete"
        case .headerNotUTF8: "header_not_utf8"
        case .headerNotObject: "header_not_object"
        case .invalidJSON: "header_invalid_json"
        case .duplicateKey: "header_duplicate_key"
        case .invalidTensorEntry: "tensor_entry_invalid"
        case .unknownDType: "unknown_dtype"
        case .invalidShape: "shape_invalid"
        case .invalidOffsets: "offsets_invalid"
        case .offsetsOutOfRange: "offsets_out_of_range"
        case .sizeOverflow: "size_overflow"
        case .subByteMisaligned: "sub_byte_misaligned"
        case .sizeMismatch: "size_mismatch"
        case .overlappingTensors: "tensors_overlap"
        case .uncoveredBytes: "data_not_covered"
        case .invalidMetadata: "metadata_invalid"
        case .fileNotFound: "file_not_found"
        case .permissionDenied: "permission_denied"
        case .unexpectedEndOfFile: "file_truncated"
        case .ioFailed: "io_error"
        }
    }

    /// The tensor this error is about, when there is one.
    public var tensorName: String? {
        switch self {
        case .invalidTensorEntry(let name), .unknownDType(let name, _), .invalidShape(let name),
             .invalidOffsets(let name), .offsetsOutOfRange(let name, _, _), .sizeOverflow(let name),
             .subByteMisaligned(let name, _), .sizeMismatch(let name, _, _),
             .overlappingTensors(let name, _):
            name
        default:
            nil
        }
    }
}
