/// Per-tensor and whole-buffer checks of a parsed safetensors header.
extension SafetensorsHeader {
    /// The reserved key holding free-form string metadata instead of a tensor.
    static let metadataKey = "__metadata__"

    /// Validates every entry of the header object and the coverage of the data buffer.
    ///
    /// - Returns: tensors sorted by offset, with absolute ranges, and the metadata map.
    static func validateEntries(
        _ root: [String: JSONValue], dataStart: Int, dataSize: Int
    ) throws(SafetensorsError) -> ([TensorInfo], [String: String]) {
        var metadata: [String: String] = [:]
        var relative: [TensorInfo] = []
        relative.reserveCapacity(root.count)
        // Sorted names make the first error reported deterministic across runs.
        for name in root.keys.sorted() {
            let value = root[name] ?? .null
            if name == metadataKey {
                metadata = try validateMetadata(value)
            } else {
                relative.append(try validateTensor(name: name, value, dataSize: dataSize))
            }
        }
        relative.sort { left, right in
            (left.dataRange.lowerBound, left.dataRange.upperBound, left.name)
                < (right.dataRange.lowerBound, right.dataRange.upperBound, right.name)
        }
        try checkCoverage(relative, dataSize: dataSize)
        let tensors = relative.map {
            TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape, dataRange: $0.dataRange.shifted(by: dataStart))
        }
        return (tensors, metadata)
    }

    /// Checks one tensor entry; the returned range is relative to the data buffer.
    static func validateTensor(
        name: String, _ value: JSONValue, dataSize: Int
    ) throws(SafetensorsError) -> TensorInfo {
        guard case .object(let entry) = value else { throw .invalidTensorEntry(tensor: name) }
        guard case .string(let dtypeName)? = entry["dtype"] else {
            throw .unknownDType(tensor: name, dtype: nil)
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw .unknownDType(tensor: name, dtype: dtypeName)
        }
        guard let shape = nonNegativeIntegers(entry["shape"]) else { throw .invalidShape(tensor: name) }
        guard let offsets = nonNegativeIntegers(entry["data_offsets"]), offsets.count == 2,
              offsets[0] <= offsets[1]
        else { throw .invalidOffsets(tensor: name) }
        let range = offsets[0]..<offsets[1]
        guard range.upperBound <= dataSize else {
            throw .offsetsOutOfRange(tensor: name, end: range.upperBound, dataSize: dataSize)
        }
        let expected = try expectedByteCount(name: name, dtype: dtype, shape: shape)
        guard expected == range.count else {
            throw .sizeMismatch(tensor: name, expectedBytes: expected, declaredBytes: range.count)
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, dataRange: range)
    }

    /// Bytes a tensor of `dtype` and `shape` must span, with every multiplication checked.
    private static func expectedByteCount(
        name: String, dtype: SafetensorsDType, shape: [Int]
    ) throws(SafetensorsError) -> Int {
        var elements = 1
        for dimension in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .sizeOverflow(tensor: name) }
            elements = product
        }
        switch dtype.byteCount(elementCount: elements) {
        case .bytes(let count): return count
        case .overflow: throw .sizeOverflow(tensor: name)
        case .misaligned: throw .subByteMisaligned(tensor: name, dtype: dtype)
        }
    }

    /// Checks that ranges, sorted by offset, neither overlap nor leave a hole, and reach the
    /// end of the data buffer (the reference's `MetadataIncompleteBuffer` rule).
    private static func checkCoverage(_ sorted: [TensorInfo], dataSize: Int) throws(SafetensorsError) {
        var cursor = 0
        // The tensor that owns the byte just before `cursor`, named in an overlap error.
        var owner = ""
        for tensor in sorted {
            let range = tensor.dataRange
            if range.lowerBound < cursor {
                throw .overlappingTensors(tensor: tensor.name, other: owner)
            }
            if range.lowerBound > cursor {
                throw .uncoveredBytes(begin: cursor, end: range.lowerBound)
            }
            if !range.isEmpty {
                owner = tensor.name
                cursor = range.upperBound
            }
        }
        if cursor < dataSize {
            throw .uncoveredBytes(begin: cursor, end: dataSize)
        }
    }

    /// Checks `__metadata__` is an object of strings (`null` counts as absent, as in the
    /// reference, where the field is an `Option`).
    private static func validateMetadata(_ value: JSONValue) throws(SafetensorsError) -> [String: String] {
        switch value {
        case .null:
            return [:]
        case .object(let entries):
            var metadata: [String: String] = [:]
            for key in entries.keys.sorted() {
                guard case .string(let text)? = entries[key] else { throw .invalidMetadata(key: key) }
                metadata[key] = text
            }
            return metadata
        default:
            throw .invalidMetadata(key: nil)
        }
    }

    /// The values of a JSON array when every one is an integer ≥ 0; otherwise `nil`.
    private static func nonNegativeIntegers(_ value: JSONValue?) -> [Int]? {
        guard case .array(let items)? = value else { return nil }
        var integers: [Int] = []
        integers.reserveCapacity(items.count)
        for item in items {
            guard case .integer(let integer) = item, integer >= 0 else { return nil }
            integers.append(integer)
        }
        return integers
    }
}

extension Range<Int> {
    /// This range moved by `offset`; used to turn buffer-relative offsets into file offsets.
    fileprivate func shifted(by offset: Int) -> Range<Int> {
        (lowerBound + offset)..<(upperBound + offset)
    }
}
