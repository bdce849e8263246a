import Synchronization

/// Counters of the WebSocket connections of one hub, across every loop, for the
/// application's metrics (this layer knows no metric format: the application reads them when
/// it renders its own).
///
/// Loops update them with relaxed atomics, so counting costs no lock and no allocation; a
/// reader sees each value exactly, though not all at one instant. Event-stream (SSE)
/// connections count in `openEventStreams` and `slowConnectionsClosed` (they are room
/// subscribers too); `openEventStreams` is also their admission count (`tryOpenEventStream`).
public final class WebSocketCounters: Sendable {
    private let open = Atomic<Int>(0)
    private let sent = Atomic<Int>(0)
    private let coalesced = Atomic<Int>(0)
    private let slowClosed = Atomic<Int>(0)
    private let eventStreams = Atomic<Int>(0)

    public init() {}

    /// WebSocket connections open right now.
    public var openConnections: Int { open.load(ordering: .relaxed) }
    /// Frames written in full to clients (data and control frames) since start.
    public var framesSent: Int { sent.load(ordering: .relaxed) }
    /// Replaceable messages superseded by a newer one with the same key before they were
    /// written (the slow-subscriber policy of `OutboundQueue`), since start.
    public var messagesCoalesced: Int { coalesced.load(ordering: .relaxed) }
    /// Subscribers closed for going over their outbound limit (WebSockets with 1013,
    /// event streams by closing the stream), since start.
    public var slowConnectionsClosed: Int { slowClosed.load(ordering: .relaxed) }

    /// Event-stream (SSE) connections open right now, counting those being opened.
    public var openEventStreams: Int { eventStreams.load(ordering: .relaxed) }

    /// Takes one event-stream slot if fewer than `limit` are taken; false (nothing taken)
    /// at the limit. Checked and taken in one step, so loops opening streams at once never
    /// go past `limit` together.
    func tryOpenEventStream(limit: Int) -> Bool {
        var current = eventStreams.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = eventStreams.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives back the slot of an event stream that closed.
    func eventStreamClosed() {
        eventStreams.wrappingSubtract(1, ordering: .relaxed)
    }

    func connectionOpened() {
        open.wrappingAdd(1, ordering: .relaxed)
    }

    func connectionClosed() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }

    func framesWritten(_ count: Int) {
        if count > 0 { sent.wrappingAdd(count, ordering: .relaxed) }
    }

    public func messageCoalesced() {
        coalesced.wrappingAdd(1, ordering: .relaxed)
    }

    public func slowConnectionClosed() {
        slowClosed.wrappingAdd(1, ordering: .relaxed)
    }
}
