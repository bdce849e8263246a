public import EventLoop
#if canImport(Glibc)
public import Glibc
#endif

/// A connection's queued output: shared frames in order, with the slow-subscriber policy
/// of `OutboundLimits` (STYLE P7). Loop-confined, owned by one connection.
///
/// The first entry may be partly written (`headOffset`); it is never replaced, so a frame
/// on the wire is always finished before anything else starts.
public struct OutboundQueue {
    /// The outcome of queueing one message.
    public enum EnqueueResult: Equatable, Sendable {
        /// Added at the end.
        case queued
        /// Replaced a queued message with the same key (past the soft limit).
        case replacedOlder
        /// The connection is over its hard limit (or over the soft one for too long): close
        /// it with 1013.
        case overHardLimit
    }

    private struct Entry {
        var frame: SharedFrame
        var key: String?
    }

    public let limits: OutboundLimits
    private var entries: [Entry] = []
    private var head = 0
    /// Bytes of the first entry already written.
    private(set) var headOffset = 0
    /// Bytes queued and not yet written.
    public private(set) var queuedBytes = 0
    /// When the queue went past the soft limit, if it is past it now.
    private var overSoftSince: LoopInstant?

    public init(limits: OutboundLimits) {
        self.limits = limits
    }

    /// Whether nothing waits to be written.
    public var isEmpty: Bool { head == entries.count }

    /// Number of queued frames.
    public var count: Int { entries.count - head }

    /// Memory a queued frame holds besides its bytes, about: its entry here and, for a
    /// frame made for one connection, the frame object and its allocation. 128 bytes.
    public static let frameOverheadBytes = 128

    /// The queue's memory, about: its bytes plus `frameOverheadBytes` per frame, so a flood
    /// of tiny frames (2-byte pongs) weighs what it costs, not what it puts on the wire.
    public var footprintBytes: Int { queuedBytes + count * Self.frameOverheadBytes }

    /// Queues `frame` under `delivery`'s rules. Past the soft limit a replaceable message
    /// supersedes the queued one with the same key: in its place when nothing that must be
    /// delivered was queued after it, otherwise the old one is dropped and the new one goes
    /// to the end, so a newer message never overtakes an older must-deliver one.
    public mutating func enqueue(_ frame: SharedFrame, delivery: Delivery, now: LoopInstant) -> EnqueueResult {
        var result = EnqueueResult.queued
        let key: String? = if case .replaceable(let key) = delivery { key } else { nil }
        if queuedBytes > limits.softBytes, let key, head + 1 < entries.count,
           let index = entries[(head + 1)...].lastIndex(where: { $0.key == key }) {
            let hasMustDeliverAfter = entries[(index + 1)...].contains { $0.key == nil }
            queuedBytes -= entries[index].frame.count
            if hasMustDeliverAfter {
                entries.remove(at: index)
                entries.append(Entry(frame: frame, key: key))
            } else {
                entries[index].frame = frame
            }
            queuedBytes += frame.count
            result = .replacedOlder
        } else {
            entries.append(Entry(frame: frame, key: key))
            queuedBytes += frame.count
        }
        return checkLimits(now: now) ? .overHardLimit : result
    }

    /// Whether the queue is past its hard limit, or past its soft limit for longer than
    /// the grace period (tracks when it crossed the soft limit).
    public mutating func checkLimits(now: LoopInstant) -> Bool {
        if queuedBytes > limits.hardBytes { return true }
        guard queuedBytes > limits.softBytes else {
            overSoftSince = nil
            return false
        }
        let since = overSoftSince ?? now
        overSoftSince = since
        return since.advanced(by: limits.softGrace) <= now
    }

    /// Fills `vectors` with up to `vectors.count` buffers to write, in order (the first
    /// starting at `headOffset`), and calls `body` with the filled prefix; returns what
    /// `body` returns. The frames stay alive for the whole call of `body`.
    public func withPendingVectors<R>(_ vectors: UnsafeMutableBufferPointer<iovec>,
                                      _ body: (UnsafeMutableBufferPointer<iovec>) -> R) -> R {
        withExtendedLifetime(entries) {
            var filled = 0
            for index in head..<min(entries.count, head + vectors.count) {
                let buffer = pendingBuffer(at: index)
                vectors[filled] = iovec(iov_base: UnsafeMutableRawPointer(mutating: buffer.baseAddress), iov_len: buffer.count)
                filled += 1
            }
            return body(UnsafeMutableBufferPointer(rebasing: vectors[..<filled]))
        }
    }

    private func pendingBuffer(at index: Int) -> UnsafeRawBufferPointer {
        let base = entries[index].frame.buffer
        return index == head ? UnsafeRawBufferPointer(rebasing: base[headOffset...]) : base
    }

    /// Drops every queued frame that has not started to go out (before a 1013 close).
    public mutating func discardUnstarted() {
        let keep = headOffset > 0 ? 1 : 0
        let kept = entries[head..<min(entries.count, head + keep)]
        queuedBytes = kept.reduce(0) { $0 + $1.frame.count } - headOffset
        entries = Array(kept)
        head = 0
        overSoftSince = nil
    }

    /// Removes and returns every queued frame, none of which may have started to go out
    /// (a queue that is read whole, as a polling response, never writes part of a frame).
    public mutating func takeAll() -> [SharedFrame] {
        precondition(headOffset == 0, "takeAll on a queue that writes frames partly")
        let frames = entries[head...].map(\.frame)
        entries.removeAll(keepingCapacity: entries.capacity <= 64)
        head = 0
        queuedBytes = 0
        overSoftSince = nil
        return frames
    }

    /// Drops `written` bytes from the front.
    public mutating func consume(_ written: Int) {
        var remaining = written
        queuedBytes -= written
        while remaining > 0, head < entries.count {
            let left = entries[head].frame.count - headOffset
            if remaining >= left {
                remaining -= left
                head += 1
                headOffset = 0
            } else {
                headOffset += remaining
                remaining = 0
            }
        }
        if head == entries.count {
            entries.removeAll(keepingCapacity: entries.capacity <= 64)
            head = 0
        } else if head > 64 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        if queuedBytes <= limits.softBytes { overSoftSince = nil }
    }
}
