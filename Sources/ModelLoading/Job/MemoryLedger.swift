import Synchronization

/// The memory promised to loads in progress: each one's reservation of its realistic peak,
/// made at step 1 and returned when its job is released (ready, failed or cancelled).
///
/// Step 1 checks the budget and reserves in one locked operation, so two loads starting
/// together cannot both pass a budget that only one of them fits in. Ready models are not
/// kept here: they count by their own `residentBytes` (the caller adds those, and the
/// inference scratch in flight, as `otherBytesInUse`). A load that becomes ready is briefly
/// counted twice (reservation and resident) until its job is released: an over-count, never
/// an under-count.
public final class MemoryLedger: Sendable {
    /// One load's reservation; `release` takes it back.
    public struct Reservation: Sendable, Equatable {
        let id: UInt64
        /// The model it is for.
        public let modelID: String
        /// Bytes reserved.
        public let bytes: Int
    }

    private struct State {
        var nextID: UInt64 = 1
        var reservations: [UInt64: Reservation] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Reserves `bytes` for `modelID` if they fit: `reserved + otherBytesInUse + bytes <=
    /// budget`. On refusal, returns the bytes in use (reservations plus `otherBytesInUse`).
    public func reserve(_ bytes: Int, for modelID: String, budget: Int,
                        otherBytesInUse: Int) -> Result<Reservation, InUse> {
        state.withLock { state in
            let inUse = state.reservations.values.reduce(otherBytesInUse) { $0 &+ $1.bytes }
            guard inUse >= 0, inUse <= budget, bytes <= budget - inUse else { return .failure(InUse(bytes: inUse)) }
            let reservation = Reservation(id: state.nextID, modelID: modelID, bytes: bytes)
            state.nextID += 1
            state.reservations[reservation.id] = reservation
            return .success(reservation)
        }
    }

    /// What was in use when a reservation was refused.
    public struct InUse: Error, Sendable, Equatable {
        public let bytes: Int
        public init(bytes: Int) { self.bytes = bytes }
    }

    /// Takes `reservation` back (a second release of the same one does nothing).
    public func release(_ reservation: Reservation) {
        _ = state.withLock { $0.reservations.removeValue(forKey: reservation.id) }
    }

    /// Bytes reserved for `modelID` now (0 when it has no load in progress).
    public func reservedBytes(for modelID: String) -> Int {
        state.withLock { state in
            state.reservations.values.reduce(0) { $0 + ($1.modelID == modelID ? $1.bytes : 0) }
        }
    }

    /// Bytes reserved by every load in progress.
    public var totalReservedBytes: Int {
        state.withLock { state in state.reservations.values.reduce(0) { $0 + $1.bytes } }
    }
}
