/// One tensor declared in a safetensors header: what it is and where its bytes lie.
public struct TensorInfo: Sendable, Equatable {
    /// The tensor's name, as the header's key (e.g. `encoder.layer.0.attention.self.query.weight`).
    public let name: String
    /// The element type.
    public let dtype: SafetensorsDType
    /// The dimensions, outermost first (row-major, "C" order). `[]` is a scalar.
    public let shape: [Int]
    /// Where the tensor's bytes lie, as absolute offsets from the start of the file.
    public let dataRange: Range<Int>

    /// Creates a tensor description; `SafetensorsHeader.parse` is the validated way to get one.
    public init(name: String, dtype: SafetensorsDType, shape: [Int], dataRange: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.dataRange = dataRange
    }

    /// Number of elements: the product of `shape` (1 for a scalar). `parse` has checked it
    /// fits in `Int`; a hand-built `TensorInfo` must keep that promise.
    public var elementCount: Int {
        shape.reduce(1, *)
    }

    /// Number of bytes the tensor occupies in the file.
    public var byteCount: Int {
        dataRange.count
    }
}
