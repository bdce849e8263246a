/// What a `ModelLoadJob` needs from the server's configuration and state.
public struct LoadJobSettings: Sendable {
    /// Step 5's read-rate cap in bytes per second (`--max-read-bytes-per-second`). Default 0:
    /// no cap.
    public var maxReadBytesPerSecond: Int
    /// Bytes all loaded models together may hold (`MemoryBudget`). Default `Int.max`.
    public var memoryBudgetBytes: Int
    /// Bytes the models already loaded (or loading) hold now, asked at step 1.
    public var residentBytesInUse: @Sendable () -> Int

    public init(
        maxReadBytesPerSecond: Int = 0, memoryBudgetBytes: Int = .max,
        residentBytesInUse: @escaping @Sendable () -> Int = { 0 }
    ) {
        self.maxReadBytesPerSecond = maxReadBytesPerSecond
        self.memoryBudgetBytes = memoryBudgetBytes
        self.residentBytesInUse = residentBytesInUse
    }
}
