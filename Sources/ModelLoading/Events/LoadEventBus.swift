import Synchronization

/// Fans the loader's events out to any number of subscribers, in one global order, without
/// ever blocking or failing the producer.
///
/// Policy:
/// - Events are delivered in the order they were enqueued. Producers enqueue while holding
///   the lock that ordered them (the loader's registry lock), then call `deliverPending()`
///   after releasing it, so handlers never run under the registry lock.
/// - Delivery is synchronous: the thread that finds the queue idle delivers everything
///   queued, including events other threads enqueue meanwhile, before it returns. A handler
///   that publishes (directly or not) only enqueues; the delivering loop picks it up.
/// - Handlers must not block (the WebSocket hub enqueues and returns). A slow handler delays
///   other subscribers, never the load's state, which is already updated.
/// - A subscription added during a delivery sees events from the next batch on; one
///   cancelled during a delivery on another thread may see the current batch.
public final class LoadEventBus: Sendable {
    /// A subscriber's callback.
    public typealias Handler = @Sendable (LoadEvent) -> Void

    private struct State {
        var handlers: [(id: UInt64, handler: Handler)] = []
        var nextID: UInt64 = 1
        var pending: [LoadEvent] = []
        var isDelivering = false
    }

    private let state = Mutex(State())

    /// Creates a bus with no subscribers.
    public init() {}

    /// Registers `handler` for every event published from now on, until the returned
    /// subscription is cancelled.
    public func subscribe(_ handler: @escaping Handler) -> LoadSubscription {
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.handlers.append((id, handler))
            return id
        }
        return LoadSubscription { [weak self] in
            self?.state.withLock { $0.handlers.removeAll { $0.id == id } }
        }
    }

    /// Enqueues `event` and delivers it (with anything queued before it).
    public func publish(_ event: LoadEvent) {
        enqueue([event])
        deliverPending()
    }

    /// Appends `events` to the queue without delivering them. Cheap and lock-short: callers
    /// may hold their own lock to fix the order.
    func enqueue(_ events: [LoadEvent]) {
        guard !events.isEmpty else { return }
        state.withLock { $0.pending.append(contentsOf: events) }
    }

    /// Delivers every queued event unless another thread is already doing so (it will
    /// deliver them, in order, before it stops).
    func deliverPending() {
        // One deliverer at a time keeps the order: the others leave their events to it.
        let isDeliverer = state.withLock { state in
            if state.isDelivering { return false }
            state.isDelivering = true
            return true
        }
        guard isDeliverer else { return }
        while let (batch, handlers) = takeBatch() {
            for event in batch {
                for entry in handlers {
                    entry.handler(event)
                }
            }
        }
    }

    /// Takes the queued events, or gives up the deliverer role when none are left (in the
    /// same critical section, so an event enqueued meanwhile is never stranded).
    private func takeBatch() -> ([LoadEvent], [(id: UInt64, handler: Handler)])? {
        state.withLock { state in
            guard !state.pending.isEmpty else {
                state.isDelivering = false
                return nil
            }
            let batch = state.pending
            state.pending.removeAll(keepingCapacity: true)
            return (batch, state.handlers)
        }
    }
}
