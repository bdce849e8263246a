/// The requests a keep-alive HTTP/1.1 connection has queued and the responses it is still
/// owed, for pipelining (RFC 9112 §9.3.2): responses come back in request order, so each one
/// answers the oldest request not yet answered, and only a request whose last byte has been
/// written can have been answered.
public struct PipelinedRequests: Sendable {
    /// Stream offsets at which the unanswered requests end, oldest first, from `head`.
    private var ends: [Int] = []
    private var sentTimes: [UInt64] = []
    private var head = 0
    /// Bytes queued on the connection so far (every request, written or not).
    public private(set) var queuedBytes = 0
    /// Bytes written to the connection so far.
    public private(set) var writtenBytes = 0

    public init() {}

    /// Requests sent (wholly or partly) and not yet answered.
    public var outstanding: Int { ends.count - head }

    /// Bytes queued and not yet written.
    public var unwrittenBytes: Int { queuedBytes - writtenBytes }

    /// Queues a request of `byteCount` bytes first handed to the socket at `sentAt`.
    public mutating func enqueue(byteCount: Int, sentAt: UInt64) {
        queuedBytes += byteCount
        ends.append(queuedBytes)
        sentTimes.append(sentAt)
    }

    /// Records that `count` more bytes were written.
    public mutating func wrote(_ count: Int) {
        precondition(writtenBytes + count <= queuedBytes, "wrote more than was queued")
        writtenBytes += count
    }

    /// A response arrived: the send time of the request it answers, or nil when no request
    /// was wholly written and unanswered (a response nobody asked for).
    public mutating func answer() -> UInt64? {
        guard head < ends.count, ends[head] <= writtenBytes else { return nil }
        let sentAt = sentTimes[head]
        head += 1
        if head > 1024 && head * 2 > ends.count {
            ends.removeFirst(head)
            sentTimes.removeFirst(head)
            head = 0
        }
        return sentAt
    }
}
