import EventLoop
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import WebSocket

/// The slow-subscriber policy of `OutboundQueue` (DESIGN §1.4), with instants made by hand.
struct OutboundQueueTests {
    static let start = LoopInstant(nanoseconds: 1_000_000_000)

    /// Small limits so a few short frames cross them: soft 20 bytes, hard 100, grace 10 s.
    static func limits(soft: Int = 20, hard: Int = 100, grace: Duration = .seconds(10)) -> OutboundLimits {
        var limits = OutboundLimits()
        limits.softBytes = soft
        limits.hardBytes = hard
        limits.softGrace = grace
        return limits
    }

    /// A frame of `count` copies of `byte` (the byte names the frame in assertions).
    static func frame(_ byte: UInt8, count: Int = 10) -> SharedFrame {
        SharedFrame([UInt8](repeating: byte, count: count))
    }

    /// What a `writev` would send now, one array per buffer.
    static func pending(_ queue: OutboundQueue, maxVectors: Int = 64) -> [[UInt8]] {
        let vectors = UnsafeMutableBufferPointer<iovec>.allocate(capacity: maxVectors)
        defer { vectors.deallocate() }
        return queue.withPendingVectors(vectors) { filled in
            filled.map { Array(UnsafeRawBufferPointer(start: $0.iov_base, count: $0.iov_len)) }
        }
    }

    @Test("under the soft limit every message is queued, replaceable or not")
    func underSoftLimitEverythingQueues() {
        var queue = OutboundQueue(limits: Self.limits(soft: 40))
        #expect(queue.enqueue(Self.frame(1), delivery: .replaceable(key: "p"), now: Self.start) == .queued)
        #expect(queue.enqueue(Self.frame(2), delivery: .replaceable(key: "p"), now: Self.start) == .queued)
        #expect(queue.enqueue(Self.frame(3), delivery: .mustDeliver, now: Self.start) == .queued)
        #expect(queue.count == 3)
        #expect(queue.queuedBytes == 30)
        #expect(Self.pending(queue).map(\.first) == [1, 2, 3])
    }

    @Test("past the soft limit a replaceable message replaces the queued one with the same key")
    func pastSoftLimitSameKeyReplaces() {
        var queue = OutboundQueue(limits: Self.limits(soft: 15))
        _ = queue.enqueue(Self.frame(0xAA), delivery: .mustDeliver, now: Self.start)
        _ = queue.enqueue(Self.frame(1), delivery: .replaceable(key: "progress:a"), now: Self.start)
        #expect(queue.queuedBytes == 20)
        let result = queue.enqueue(Self.frame(2, count: 12), delivery: .replaceable(key: "progress:a"), now: Self.start)
        #expect(result == .replacedOlder)
        #expect(queue.count == 2)
        #expect(queue.queuedBytes == 22)
        #expect(Self.pending(queue) == [[UInt8](repeating: 0xAA, count: 10), [UInt8](repeating: 2, count: 12)])
    }

    @Test("a newer replaceable message is never sent ahead of a must-deliver one queued before it")
    func replacementKeepsOrder() {
        // A progress of seq 3 must not overtake the lifecycle event of seq 2 (DESIGN §1.3:
        // started → progress → terminal; §1.4: seq increases per room).
        var queue = OutboundQueue(limits: Self.limits())
        _ = queue.enqueue(Self.frame(0xAA), delivery: .mustDeliver, now: Self.start)
        _ = queue.enqueue(Self.frame(1), delivery: .replaceable(key: "progress:a"), now: Self.start)
        _ = queue.enqueue(Self.frame(0xBB), delivery: .mustDeliver, now: Self.start)
        _ = queue.enqueue(Self.frame(2), delivery: .replaceable(key: "progress:a"), now: Self.start)
        let order = Self.pending(queue).compactMap(\.first)
        #expect(order.contains(2))
        #expect(order.contains(0xBB))
        #expect((order.firstIndex(of: 2) ?? 0) > (order.firstIndex(of: 0xBB) ?? .max))
        #expect(order.filter { $0 == 1 || $0 == 2 }.last == 2)
    }

    @Test("past the soft limit a replaceable message with another key is added, not swapped")
    func otherKeyIsQueued() {
        var queue = OutboundQueue(limits: Self.limits())
        _ = queue.enqueue(Self.frame(0xAA), delivery: .mustDeliver, now: Self.start)
        _ = queue.enqueue(Self.frame(1), delivery: .replaceable(key: "progress:a"), now: Self.start)
        _ = queue.enqueue(Self.frame(0xBB, count: 5), delivery: .mustDeliver, now: Self.start)
        #expect(queue.enqueue(Self.frame(2), delivery: .replaceable(key: "progress:b"), now: Self.start) == .queued)
        #expect(Self.pending(queue).map(\.first) == [0xAA, 1, 0xBB, 2])
    }

    @Test("the partly written head is never replaced, even when it has the same key")
    func partlyWrittenHeadIsKept() {
        var queue = OutboundQueue(limits: Self.limits(soft: 10))
        _ = queue.enqueue(Self.frame(1), delivery: .replaceable(key: "p"), now: Self.start)
        queue.consume(3)
        #expect(queue.headOffset == 3)
        _ = queue.enqueue(Self.frame(0xEE, count: 10), delivery: .mustDeliver, now: Self.start)
        #expect(queue.queuedBytes == 17)
        // Past soft, but the only same-key entry is the head on the wire: append instead.
        #expect(queue.enqueue(Self.frame(2), delivery: .replaceable(key: "p"), now: Self.start) == .queued)
        #expect(queue.enqueue(Self.frame(3), delivery: .replaceable(key: "p"), now: Self.start) == .replacedOlder)
        let pending = Self.pending(queue)
        #expect(pending.map(\.first) == [1, 0xEE, 3])
        #expect(pending[0].count == 7)
    }

    @Test("a head that has not started is not replaced either, so order on the wire holds")
    func unstartedHeadIsKept() {
        var queue = OutboundQueue(limits: Self.limits(soft: 5))
        _ = queue.enqueue(Self.frame(1), delivery: .replaceable(key: "p"), now: Self.start)
        #expect(queue.enqueue(Self.frame(2), delivery: .replaceable(key: "p"), now: Self.start) == .queued)
        #expect(Self.pending(queue).map(\.first) == [1, 2])
    }

    @Test("must-deliver messages are never replaced past the soft limit")
    func mustDeliverIsNeverReplaced() {
        var queue = OutboundQueue(limits: Self.limits(soft: 10, hard: 1000))
        for byte in UInt8(1)...6 {
            #expect(queue.enqueue(Self.frame(byte), delivery: .mustDeliver, now: Self.start) == .queued)
        }
        #expect(queue.count == 6)
        #expect(Self.pending(queue).map(\.first) == [1, 2, 3, 4, 5, 6])
    }

    @Test("passing the hard limit asks for a close, whatever the delivery class")
    func hardLimitAsksForClose() {
        var queue = OutboundQueue(limits: Self.limits(soft: 20, hard: 35))
        for _ in 0..<3 { _ = queue.enqueue(Self.frame(1), delivery: .mustDeliver, now: Self.start) }
        #expect(queue.enqueue(Self.frame(2, count: 5), delivery: .mustDeliver, now: Self.start) == .queued)
        #expect(queue.queuedBytes == 35)
        #expect(queue.enqueue(Self.frame(3, count: 1), delivery: .replaceable(key: "x"), now: Self.start) == .overHardLimit)
    }

    @Test("a replacement that grows the queue past the hard limit also asks for a close")
    func growingReplacementHitsHardLimit() {
        var queue = OutboundQueue(limits: Self.limits(soft: 10, hard: 40))
        _ = queue.enqueue(Self.frame(0xAA), delivery: .mustDeliver, now: Self.start)
        _ = queue.enqueue(Self.frame(1), delivery: .replaceable(key: "p"), now: Self.start)
        #expect(queue.enqueue(Self.frame(2, count: 31), delivery: .replaceable(key: "p"), now: Self.start) == .overHardLimit)
    }

    @Test("staying past the soft limit for the grace period asks for a close; dropping under it resets the timer")
    func softLimitGrace() {
        var queue = OutboundQueue(limits: Self.limits(soft: 15, hard: 1000, grace: .seconds(10)))
        _ = queue.enqueue(Self.frame(1), delivery: .mustDeliver, now: Self.start)
        #expect(queue.enqueue(Self.frame(2), delivery: .mustDeliver, now: Self.start) == .queued)
        let almost = Self.start.advanced(by: .seconds(10) - .nanoseconds(1))
        #expect(queue.checkLimits(now: almost) == false)
        #expect(queue.enqueue(Self.frame(3), delivery: .mustDeliver, now: almost) == .queued)
        #expect(queue.checkLimits(now: Self.start.advanced(by: .seconds(10))) == true)

        // Writing it down under the soft limit forgets when it crossed.
        queue.consume(20)
        #expect(queue.queuedBytes == 10)
        let later = Self.start.advanced(by: .seconds(60))
        #expect(queue.enqueue(Self.frame(4), delivery: .mustDeliver, now: later) == .queued)
        #expect(queue.checkLimits(now: later.advanced(by: .seconds(9))) == false)
        #expect(queue.checkLimits(now: later.advanced(by: .seconds(10))) == true)
    }

    @Test("consume drops whole entries and leaves a partial head that later buffers start after")
    func consumeAcrossEntries() {
        var queue = OutboundQueue(limits: Self.limits(soft: 1000, hard: 2000))
        _ = queue.enqueue(SharedFrame([1, 2, 3, 4, 5]), delivery: .mustDeliver, now: Self.start)
        _ = queue.enqueue(SharedFrame([6, 7, 8, 9, 10]), delivery: .mustDeliver, now: Self.start)
        _ = queue.enqueue(SharedFrame([11, 12, 13, 14, 15]), delivery: .mustDeliver, now: Self.start)
        queue.consume(2)
        #expect(Self.pending(queue) == [[3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15]])
        queue.consume(5)
        #expect(queue.count == 2)
        #expect(queue.headOffset == 2)
        #expect(queue.queuedBytes == 8)
        #expect(Self.pending(queue) == [[8, 9, 10], [11, 12, 13, 14, 15]])
        #expect(Self.pending(queue, maxVectors: 1) == [[8, 9, 10]])
        queue.consume(8)
        #expect(queue.isEmpty)
        #expect(queue.queuedBytes == 0)
        #expect(queue.headOffset == 0)
        #expect(Self.pending(queue).isEmpty)
    }

    @Test("many small writes through a long queue keep bytes in order")
    func longQueueDrainsInOrder() {
        var queue = OutboundQueue(limits: Self.limits(soft: 1 << 20, hard: 2 << 20))
        var expected: [UInt8] = []
        for index in 0..<300 {
            let bytes = (0..<(index % 7 + 1)).map { UInt8(truncatingIfNeeded: index &+ $0) }
            expected += bytes
            _ = queue.enqueue(SharedFrame(bytes), delivery: .mustDeliver, now: Self.start)
        }
        var written: [UInt8] = []
        while !queue.isEmpty {
            let chunk = Array(Self.pending(queue, maxVectors: 3).joined().prefix(5))
            written += chunk
            queue.consume(chunk.count)
        }
        #expect(written == expected)
        #expect(queue.queuedBytes == 0)
    }

    @Test("discardUnstarted keeps only the rest of a frame already on the wire")
    func discardUnstartedKeepsPartialHead() {
        var queue = OutboundQueue(limits: Self.limits(soft: 15, hard: 1000))
        _ = queue.enqueue(SharedFrame([1, 2, 3, 4]), delivery: .mustDeliver, now: Self.start)
        _ = queue.enqueue(Self.frame(5), delivery: .mustDeliver, now: Self.start)
        _ = queue.enqueue(Self.frame(6), delivery: .mustDeliver, now: Self.start)
        queue.consume(1)
        queue.discardUnstarted()
        #expect(queue.count == 1)
        #expect(queue.queuedBytes == 3)
        #expect(Self.pending(queue) == [[2, 3, 4]])
        // Back under the soft limit: no close however long it stays there.
        #expect(queue.checkLimits(now: Self.start.advanced(by: .seconds(3600))) == false)
    }

    @Test("discardUnstarted empties a queue whose head has not started")
    func discardUnstartedEmpties() {
        var queue = OutboundQueue(limits: Self.limits())
        _ = queue.enqueue(Self.frame(1), delivery: .mustDeliver, now: Self.start)
        _ = queue.enqueue(Self.frame(2), delivery: .mustDeliver, now: Self.start)
        queue.discardUnstarted()
        #expect(queue.isEmpty)
        #expect(queue.queuedBytes == 0)
        #expect(queue.enqueue(Self.frame(3), delivery: .mustDeliver, now: Self.start) == .queued)
        #expect(Self.pending(queue).map(\.first) == [3])
    }
}

/// `takeAll`, the whole-queue read of Engine.IO long polls.
struct OutboundQueueTakeAllTests {
    @Test("takeAll returns the queued frames in order, coalescing applied, and empties the queue")
    func takeAll() {
        var limits = OutboundLimits()
        limits.softBytes = 4
        var queue = OutboundQueue(limits: limits)
        let now = LoopInstant(nanoseconds: 0)
        _ = queue.enqueue(SharedFrame([1, 1, 1]), delivery: .mustDeliver, now: now)
        _ = queue.enqueue(SharedFrame([2, 2, 2]), delivery: .replaceable(key: "p"), now: now)
        #expect(queue.enqueue(SharedFrame([3, 3, 3]), delivery: .replaceable(key: "p"), now: now) == .replacedOlder)
        let frames = queue.takeAll().map { [UInt8]($0.buffer) }
        #expect(frames == [[1, 1, 1], [3, 3, 3]])
        #expect(queue.isEmpty && queue.queuedBytes == 0)
        #expect(queue.takeAll().isEmpty)
    }
}
