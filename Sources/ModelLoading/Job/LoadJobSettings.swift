public import ModelHub

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
    /// The hub and cache of `source: hf://...` models; nil means huggingface_hub's
    /// environment variables (`HubSettings.resolve` with no settings).
    public var hub: HubSettings?
    /// Seconds without a byte before a hub transfer is retried (the load's stall timeout).
    public var hubStallSeconds: Int

    public init(
        maxReadBytesPerSecond: Int = 0, memoryBudgetBytes: Int = .max,
        residentBytesInUse: @escaping @Sendable () -> Int = { 0 }, ledger: MemoryLedger = MemoryLedger(),
        hub: HubSettings? = nil, hubStallSeconds: Int = 30
    ) {
        self.maxReadBytesPerSecond = maxReadBytesPerSecond
        self.memoryBudgetBytes = memoryBudgetBytes
        self.residentBytesInUse = residentBytesInUse
        self.ledger = ledger
        self.hub = hub
        self.hubStallSeconds = hubStallSeconds
    }
}
