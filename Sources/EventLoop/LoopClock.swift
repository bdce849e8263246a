import CLinux

/// Where a loop reads the time. Production uses `MonotonicClock`; tests use `ManualClock`.
public protocol LoopClock: Sendable {
    /// The current instant.
    func now() -> LoopInstant
}

/// The kernel's `CLOCK_MONOTONIC`.
public struct MonotonicClock: LoopClock {
    public init() {}

    public func now() -> LoopInstant {
        LoopInstant(nanoseconds: clinux_monotonic_ns())
    }
}
