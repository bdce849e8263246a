import Synchronization

/// The activations of one forward pass over `rows` packed tokens: the hidden state, fused
/// Q/K/V, attention context, projection and feed-forward inner activations, all f32.
struct BertScratch: Sendable {
    /// Packed tokens the buffers hold.
    let rows: Int
    let hidden: AlignedFloatBuffer
    let queryKeyValue: AlignedFloatBuffer
    let context: AlignedFloatBuffer
    let projected: AlignedFloatBuffer
    let inner: AlignedFloatBuffer

    init(rows: Int, configuration: BertConfiguration) {
        let width = configuration.hiddenSize
        self.rows = rows
        hidden = AlignedFloatBuffer(count: rows * width)
        queryKeyValue = AlignedFloatBuffer(count: rows * 3 * width)
        context = AlignedFloatBuffer(count: rows * width)
        projected = AlignedFloatBuffer(count: rows * width)
        inner = AlignedFloatBuffer(count: rows * configuration.intermediateSize)
    }

    /// Floats per packed token: 6 × hidden + intermediate.
    static func floatsPerRow(_ configuration: BertConfiguration) -> Int {
        6 * configuration.hiddenSize + configuration.intermediateSize
    }

    /// Bytes held.
    var byteCount: Int {
        hidden.byteCount + queryKeyValue.byteCount + context.byteCount + projected.byteCount + inner.byteCount
    }
}

/// Keeps the last forward pass's scratch for the next one, so a steady stream of passes does
/// not map, fault in and zero ~10 MB per batch of 32 sentences (3.3 ms of one thread per pass,
/// measured, while the other core waited), as long as it is at most `limitBytes`.
///
/// A pass takes the kept scratch when it has room for its rows, else frees it and allocates
/// its own (so at most one pass's scratch is alive per caller); it gives its scratch back when
/// done. Two passes at once (two callers of one model) each get their own; one is kept.
final class BertScratchCache: Sendable {
    /// The largest scratch kept between passes: 16 MiB (about 1,090 packed tokens of
    /// all-MiniLM-L6-v2); larger passes free theirs.
    static let limitBytes = 16 * 1024 * 1024

    private let kept = Mutex<BertScratch?>(nil)
    private let keptBytes = Atomic<Int>(0)

    /// Bytes held between passes (0 while a pass uses them or when nothing is kept).
    var retainedBytes: Int {
        keptBytes.load(ordering: .relaxed)
    }

    /// A scratch with room for `rows` packed tokens; its contents are whatever the last pass left.
    func take(rows: Int, configuration: BertConfiguration) -> BertScratch {
        let cached = kept.withLock { value -> BertScratch? in
            let taken = value
            value = nil
            keptBytes.store(0, ordering: .relaxed)
            return taken
        }
        if let cached, cached.rows >= rows { return cached }
        return BertScratch(rows: rows, configuration: configuration)  // `cached`, too small, is freed first
    }

    /// Keeps `scratch` for the next pass if it is small enough.
    func give(_ scratch: BertScratch) {
        let bytes = scratch.byteCount
        guard bytes <= Self.limitBytes else { return }
        kept.withLock { value in
            value = scratch
            keptBytes.store(bytes, ordering: .relaxed)
        }
    }
}
