import ModelFormats

/// What a load will hold at its peak, estimated at step 1 from the safetensors headers
/// alone (a few kilobytes read per file, never the weights).
///
/// The loader's memory path: step 5 reads the raw file (`fileBytes`); step 7 builds f32
/// copies of every tensor while the raw buffer is still held (`f32Bytes`: elements × 4, so
/// twice the file's tensor bytes for F16/BF16 weights); step 8 packs the matrices for the
/// kernels (about the f32 size again) while the f32 tensors are held, and the raw buffer is
/// gone by then. So the peak is `max(fileBytes + f32Bytes, 2 × f32Bytes)` plus a margin for
/// the tokenizer, work buffers and the warm-up's activations.
public struct PeakMemoryEstimate: Sendable, Equatable {
    /// Bytes of the weights files.
    public var fileBytes: Int
    /// Bytes of every tensor converted to f32.
    public var f32Bytes: Int
    /// Fixed margin on top.
    public var marginBytes: Int

    public init(fileBytes: Int, f32Bytes: Int, marginBytes: Int) {
        self.fileBytes = fileBytes
        self.f32Bytes = f32Bytes
        self.marginBytes = marginBytes
    }

    /// The peak, saturating instead of overflowing.
    public var peakBytes: Int {
        let rawAndF32 = fileBytes.addingReportingOverflow(f32Bytes)
        let twiceF32 = f32Bytes.multipliedReportingOverflow(by: 2)
        guard !rawAndF32.overflow, !twiceF32.overflow else { return .max }
        let peak = max(rawAndF32.partialValue, twiceF32.partialValue).addingReportingOverflow(marginBytes)
        return peak.overflow ? .max : peak.partialValue
    }

    /// Estimates the files at `paths`. A file whose header cannot be read (step 4 will say
    /// why) is assumed to hold F32 tensors filling the file.
    public static func of(weightsFiles paths: [String], marginBytes: Int) -> PeakMemoryEstimate {
        var estimate = PeakMemoryEstimate(fileBytes: 0, f32Bytes: 0, marginBytes: marginBytes)
        for path in paths {
            guard let header = try? SafetensorsHeader.read(fileAt: path) else {
                let size = FileIdentity.of(path: path).map { Int(clamping: $0.size) } ?? 0
                estimate.fileBytes += size
                estimate.f32Bytes += size
                continue
            }
            estimate.fileBytes += header.fileSize
            estimate.f32Bytes += header.tensors.reduce(0) { $0 + $1.elementCount * 4 }
        }
        return estimate
    }
}
