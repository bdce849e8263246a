public import ModelFormats

/// Steps 4 and 7: checking the safetensors header against the configuration, then turning
/// the file's bytes into aligned f32 tensors.
extension BertLoadSession {
    /// Element types we convert; everything else is refused at step 4.
    static let acceptedDTypes: Set<SafetensorsDType> = [.f32, .f16, .bf16]

    /// Step 4: every tensor the configuration implies is present, F32/F16/BF16, and of the
    /// exact shape; records where each one is in the file.
    public func validate(_ header: SafetensorsHeader) throws(ModelRuntimeError) {
        fileNames = try Self.check(header, against: configuration)
    }

    /// Checks every tensor the configuration implies is in `header` with an accepted dtype
    /// and the exact shape; returns canonical name → name in the file.
    static func check(
        _ header: SafetensorsHeader, against configuration: BertConfiguration
    ) throws(ModelRuntimeError) -> [String: String] {
        var byName: [String: TensorInfo] = [:]
        for tensor in header.tensors { byName[tensor.name] = tensor }
        let prefix = BertTensorNames.prefix(in: Set(byName.keys))
        var fileNames: [String: String] = [:]
        for expected in BertTensorNames.expected(for: configuration) {
            let fileName = prefix + expected.name
            guard let tensor = byName[fileName] else { throw .missingTensor(fileName) }
            guard acceptedDTypes.contains(tensor.dtype) else {
                throw .unsupportedDType(fileName, dtype: tensor.dtype.rawValue)
            }
            guard tensor.shape == expected.shape else {
                throw .shapeMismatch(fileName, expected: expected.shape, actual: tensor.shape)
            }
            fileNames[expected.name] = fileName
        }
        return fileNames
    }

    /// Step 7: converts each needed tensor to a 64-byte-aligned f32 buffer, checking
    /// `isCancelled` between tensors.
    public func materialize(
        weights: UnsafeRawBufferPointer, header: SafetensorsHeader, isCancelled: () -> Bool
    ) throws(ModelRuntimeError) {
        try materialize(weights: weights, header: header, isCancelled: isCancelled, progress: { _, _ in })
    }

    /// Step 7, reporting the bytes of tensors converted so far after each tensor.
    public func materialize(
        weights: UnsafeRawBufferPointer, header: SafetensorsHeader, isCancelled: () -> Bool,
        progress: (_ done: Int64, _ total: Int64) -> Void
    ) throws(ModelRuntimeError) {
        guard !fileNames.isEmpty else { throw .stepOutOfOrder("materialize ran before validate") }
        var byName: [String: TensorInfo] = [:]
        for tensor in header.tensors { byName[tensor.name] = tensor }
        let total = fileNames.values.reduce(Int64(0)) { $0 + Int64(byName[$1]?.byteCount ?? 0) }
        var done: Int64 = 0
        var converted: [String: AlignedFloatBuffer] = [:]
        for (canonical, fileName) in fileNames.sorted(by: { $0.key < $1.key }) {
            guard !isCancelled() else { throw .cancelled }
            guard let tensor = byName[fileName] else { throw .missingTensor(fileName) }
            converted[canonical] = try Self.convert(tensor, from: weights)
            done += Int64(tensor.byteCount)
            progress(done, total)
        }
        tensors = converted
    }

    /// Copies one tensor into a new aligned f32 buffer, converting f16 and bf16.
    static func convert(_ tensor: TensorInfo, from weights: UnsafeRawBufferPointer) throws(ModelRuntimeError) -> AlignedFloatBuffer {
        let count = tensor.elementCount
        guard let byteSize = tensor.dtype.byteSize, tensor.dataRange.lowerBound >= 0,
              tensor.dataRange.upperBound <= weights.count, tensor.byteCount == count * byteSize,
              let base = weights.baseAddress else {
            throw .truncatedWeights(tensor.name)
        }
        let source = base + tensor.dataRange.lowerBound
        let buffer = AlignedFloatBuffer(count: count)
        switch tensor.dtype {
        case .f32: HalfPrecision.copyFloats(from: source, to: buffer.pointer, count: count)
        case .f16: HalfPrecision.convertHalves(from: source, to: buffer.pointer, count: count)
        case .bf16: HalfPrecision.convertBFloat16s(from: source, to: buffer.pointer, count: count)
        default: throw .unsupportedDType(tensor.name, dtype: tensor.dtype.rawValue)
        }
        return buffer
    }
}
