/// A handle on one subscriber of a `LoadEventBus`; `cancel()` stops its deliveries.
///
/// Cancelling is explicit (dropping the handle does not cancel), so a subscriber that keeps
/// no handle stays subscribed for the bus's life. Cancelling twice is harmless.
public final class LoadSubscription: Sendable {
    private let onCancel: @Sendable () -> Void

    init(onCancel: @escaping @Sendable () -> Void) {
        self.onCancel = onCancel
    }

    /// Removes the subscriber. A delivery already running on another thread may still hand
    /// it the events of its current batch.
    public func cancel() {
        onCancel()
    }
}
