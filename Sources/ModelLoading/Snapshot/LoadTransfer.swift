/// A download in progress during a load (step 3 of a `source: hf://...` model): the file
/// being fetched and the measured, smoothed transfer rate. Shown as `file` and
/// `bytes_per_second` next to `bytes_loaded` / `bytes_total`.
public struct LoadTransfer: Sendable, Equatable {
    /// The repository path of the file being fetched (`model.safetensors`).
    public var file: String
    /// Smoothed bytes per second (0 until measured).
    public var bytesPerSecond: Double

    public init(file: String, bytesPerSecond: Double) {
        self.file = file
        self.bytesPerSecond = bytesPerSecond
    }
}
