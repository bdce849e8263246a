/// A fixed-size, zero-initialised block of `Float`s aligned to 64 bytes (one cache line and
/// one AVX-512 register), owned by this object and freed with it.
///
/// Weights are written once while a model loads (steps 7 and 8, on one load thread) and then
/// only read; scratch buffers live inside one forward pass.
final class AlignedFloatBuffer: @unchecked Sendable {  // safe because: see the comment below
    // Safe because: `pointer` itself never changes. The bytes behind it are
    // written only by the thread that created the buffer, before the buffer is published
    // (a weight buffer reaches another thread only inside the immutable `BertEncoder`
    // returned by step 9, behind the loader's happens-before edge), or by a forward pass that
    // owns a private scratch buffer and joins its worker threads before returning.

    /// Alignment of `pointer`, in bytes.
    static let alignmentBytes = 64

    /// Number of floats.
    let count: Int
    /// The first float; valid for `count` elements until the buffer is released.
    let pointer: UnsafeMutablePointer<Float>

    /// Allocates `count` floats, all zero.
    init(count: Int) {
        precondition(count >= 0, "negative buffer size")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride,
            alignment: Self.alignmentBytes
        )
        pointer = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
    }

    /// Allocates a copy of `values`.
    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            pointer.update(from: base, count: values.count)
        }
    }

    deinit {
        pointer.deallocate()
    }

    /// Bytes held.
    var byteCount: Int {
        count * MemoryLayout<Float>.stride
    }

    /// A copy of the contents, for tests and small reads.
    var array: [Float] {
        Array(UnsafeBufferPointer(start: pointer, count: count))
    }
}
