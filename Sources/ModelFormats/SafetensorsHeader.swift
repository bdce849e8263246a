/// The validated header of a safetensors file: every tensor's type, shape and byte range.
///
/// File layout (huggingface/safetensors, "Format"):
///
/// ```
/// +-----------+---------------------------+------------------------------------------+
/// | N: u64 LE | N bytes of UTF-8 JSON      | data buffer: tensors' bytes, back to back |
/// +-----------+---------------------------+------------------------------------------+
/// 0           8                           8+N                                 fileSize
/// ```
///
/// The JSON is an object mapping each tensor name to
/// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}`, offsets relative to the
/// data buffer, plus an optional `"__metadata__"` object of string values.
///
/// Validation policy (stricter than "it parses", as the reference implementation is): every
/// tensor's range lies inside the data buffer, its length is exactly shape × dtype size,
/// no two ranges overlap, and together they cover the data buffer with no hole, so no byte
/// of the file goes unaccounted for. Unknown fields inside a tensor entry are ignored, as the
/// reference does.
public struct SafetensorsHeader: Sendable, Equatable {
    /// Largest accepted JSON header, in bytes. 100,000,000 (100 MB), the reference
    /// implementation's `MAX_HEADER_SIZE`; real headers are kilobytes to a few megabytes.
    public static let maxHeaderBytes = 100_000_000

    /// Size of the little-endian `u64` header-length prefix, in bytes.
    public static let lengthPrefixBytes = 8

    /// N, the JSON header's length in bytes.
    public let headerLength: Int
    /// Size of the whole file in bytes.
    public let fileSize: Int
    /// Every tensor, sorted by offset.
    public let tensors: [TensorInfo]
    /// The `__metadata__` map, empty when absent.
    public let metadata: [String: String]

    /// Absolute file offset where the data buffer (and the first tensor) starts: 8 + N.
    public var dataStart: Int {
        Self.lengthPrefixBytes + headerLength
    }

    /// Bytes in the data buffer: the sum of all tensors' sizes, since they cover it exactly.
    public var totalDataBytes: Int {
        fileSize - dataStart
    }

    /// The tensor called `name`, if the file declares one (a linear scan).
    public func tensor(named name: String) -> TensorInfo? {
        tensors.first { $0.name == name }
    }

    /// Reads and checks the 8-byte length prefix; returns how many bytes the caller must
    /// supply to `parse(prefix:fileSize:)` (8 + N).
    ///
    /// - Parameters:
    ///   - prefix: at least the file's first 8 bytes, or the whole file if shorter.
    ///   - fileSize: the size of the whole file in bytes.
    public static func requiredPrefixLength(
        prefix: UnsafeRawBufferPointer, fileSize: Int
    ) throws(SafetensorsError) -> Int {
        guard fileSize >= lengthPrefixBytes else { throw .fileTooSmall(fileSize: fileSize) }
        guard prefix.count >= lengthPrefixBytes else {
            throw .prefixTooShort(needed: lengthPrefixBytes, available: prefix.count)
        }
        var length: UInt64 = 0
        for index in (0..<lengthPrefixBytes).reversed() {
            length = length << 8 | UInt64(prefix[index])
        }
        guard length > 0 else { throw .headerLengthZero }
        guard length <= UInt64(maxHeaderBytes) else { throw .headerTooLarge(length: length) }
        // length is at most maxHeaderBytes here, so the sum cannot overflow.
        let needed = lengthPrefixBytes + Int(length)
        guard needed <= fileSize else { throw .headerPastEnd(length: length, fileSize: fileSize) }
        return needed
    }

    /// Parses and validates a header from the first bytes of a file.
    ///
    /// - Parameters:
    ///   - prefix: the file's first bytes; at least `requiredPrefixLength` of them (more, e.g.
    ///     the whole file, is fine: bytes after the header are not read).
    ///   - fileSize: the size of the whole file in bytes; it bounds every tensor's range.
    public static func parse(
        prefix: UnsafeRawBufferPointer, fileSize: Int
    ) throws(SafetensorsError) -> SafetensorsHeader {
        let needed = try requiredPrefixLength(prefix: prefix, fileSize: fileSize)
        guard prefix.count >= needed else {
            throw .prefixTooShort(needed: needed, available: prefix.count)
        }
        let json = UnsafeRawBufferPointer(rebasing: prefix[lengthPrefixBytes..<needed])
        let root = try parseJSONObject(json)
        let dataSize = fileSize - needed
        let (tensors, metadata) = try validateEntries(root, dataStart: needed, dataSize: dataSize)
        return SafetensorsHeader(
            headerLength: needed - lengthPrefixBytes,
            fileSize: fileSize,
            tensors: tensors,
            metadata: metadata
        )
    }

    /// Parses a header from bytes held in an array (tests, small files).
    public static func parse(prefix: [UInt8], fileSize: Int) throws(SafetensorsError) -> SafetensorsHeader {
        try withBytes(of: prefix) { bytes throws(SafetensorsError) in
            try parse(prefix: bytes, fileSize: fileSize)
        }
    }

    /// Reads the length prefix from bytes held in an array; see the buffer overload.
    public static func requiredPrefixLength(prefix: [UInt8], fileSize: Int) throws(SafetensorsError) -> Int {
        try withBytes(of: prefix) { bytes throws(SafetensorsError) in
            try requiredPrefixLength(prefix: bytes, fileSize: fileSize)
        }
    }

    /// `Array.withUnsafeBytes` with a typed-throwing body.
    private static func withBytes<Value>(
        of array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(SafetensorsError) -> Value
    ) throws(SafetensorsError) -> Value {
        // withUnsafeBytes rethrows untyped errors; carry the typed error out through a Result.
        try array.withUnsafeBytes { bytes in Result { () throws(SafetensorsError) in try body(bytes) } }.get()
    }

    /// Checks the header text is UTF-8, starts with `{` and is valid JSON.
    private static func parseJSONObject(
        _ json: UnsafeRawBufferPointer
    ) throws(SafetensorsError) -> [String: JSONValue] {
        guard isValidUTF8(json) else { throw .headerNotUTF8 }
        guard json.first == UInt8(ascii: "{") else { throw .headerNotObject }
        let value: JSONValue
        do {
            value = try JSONParser.parse(json)
        } catch {
            switch error {
            case .invalid(let offset):
                // Report the offset within the file, where a hex dump would show it.
                throw .invalidJSON(offset: lengthPrefixBytes + offset)
            case .duplicateKey(let key):
                throw .duplicateKey(key)
            }
        }
        guard case .object(let root) = value else { throw .headerNotObject }
        return root
    }

    /// Whether `bytes` is well-formed UTF-8, checked without building a String.
    private static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
