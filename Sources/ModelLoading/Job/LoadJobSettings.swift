/// What a `ModelLoadJob` needs from the server's configuration and state.
public struct LoadJobSettings: Sendable {
    /// Step 5's read-rate cap in bytes per second (`--max-read-bytes-per-second`). Default 0:
    /// no cap.
    public var maxReadBytesPerSecond: Int
    /// Bytes all models together may hold (`MemoryBudget`). Default `Int.max`.
    public var memoryBudgetBytes: Int
    /// Bytes in use outside the ledger, asked at step 1: the ready models' resident bytes and
    /// the inference scratch in flight.
    public var residentBytesInUse: @Sendable () -> Int
    /// Where step 1 reserves the load's peak, shared by every job of one server.
    public var ledger: MemoryLedger

    public init(
        maxReadBytesPerSecond: Int = 0, memoryBudgetBytes: Int = .max,
        residentBytesInUse: @escaping @Sendable () -> Int = { 0 }, ledger: MemoryLedger = MemoryLedger()
    ) {
        self.maxReadBytesPerSecond = maxReadBytesPerSecond
        self.memoryBudgetBytes = memoryBudgetBytes
        self.residentBytesInUse = residentBytesInUse
        self.ledger = ledger
    }
}
