public import EventLoop
import Synchronization

/// Routes room messages to subscribers on every loop (DESIGN §1.4, STYLE P7).
///
/// A message is framed (and compressed) once by the caller; `publish` looks up which loops
/// have members of the room and hands the same `RoomMessage` to each of them through its
/// `execute` queue. It never waits and never fails toward the publisher: a slow or broken
/// subscriber is dealt with on its own loop (coalesced, or closed with 1013).
public final class RoomHub: Sendable {
    /// Counters of the WebSocket connections served with this hub.
    public let counters = WebSocketCounters()
    private let loops = Mutex<[EventLoopHandle]>([])
    /// Members per room per loop index (counts only; the connections live on their loops).
    private let membership = Mutex<[RoomName: [Int: Int]]>([:])

    public init() {}

    /// Tells the hub which loops exist (after the server started).
    public func attach(loops handles: [EventLoopHandle]) {
        loops.withLock { $0 = handles }
    }

    /// Sends `message` to every member of `room`. Returns the number of members when it was
    /// published (each will get it or be closed).
    @discardableResult
    public func publish(_ message: RoomMessage, to room: RoomName) -> Int {
        let perLoop = membership.withLock { $0[room] ?? [:] }
        guard !perLoop.isEmpty else { return 0 }
        let handles = loops.withLock { $0 }
        var recipients = 0
        for (index, count) in perLoop where count > 0 && index < handles.count {
            recipients += count
            handles[index].execute { loop in
                loop.attached(LoopRooms.self)?.deliver(message, to: room, loop: loop)
            }
        }
        return recipients
    }

    /// The loops attached, by index (for protocols that hand work to a session's loop).
    public var loopHandles: [EventLoopHandle] { loops.withLock { $0 } }

    /// Members of `room` right now, across loops.
    public func memberCount(of room: RoomName) -> Int {
        membership.withLock { $0[room]?.values.reduce(0, +) ?? 0 }
    }

    /// Makes `member`, a connection owned by `loop`, a member of `room` (from `loop`'s thread).
    public func join(_ room: RoomName, _ member: any RoomMember, on loop: EventLoop) {
        WebSocketLoopContext.of(loop, hub: self).rooms.join(room, member)
    }

    /// Ends `member`'s membership of `room` (from `loop`'s thread).
    public func leave(_ room: RoomName, _ member: any RoomMember, on loop: EventLoop) {
        WebSocketLoopContext.of(loop, hub: self).rooms.leave(room, member)
    }

    func memberJoined(_ room: RoomName, loopIndex: Int) {
        membership.withLock { $0[room, default: [:]][loopIndex, default: 0] += 1 }
    }

    func memberLeft(_ room: RoomName, loopIndex: Int) {
        membership.withLock { rooms in
            guard var perLoop = rooms[room] else { return }
            perLoop[loopIndex, default: 0] -= 1
            if perLoop[loopIndex, default: 0] <= 0 { perLoop[loopIndex] = nil }
            rooms[room] = perLoop.isEmpty ? nil : perLoop
        }
    }
}

/// A connection that can be a room member: it queues messages by its own policy and
/// writes its queue; the extension below turns that into immediate and batched delivery.
/// Public so that protocols layered on this one (Socket.IO's polling sessions) can be
/// members of the same rooms; members are loop-confined.
public protocol RoomMember: AnyObject {
    /// Set while queued room messages wait for `flushQueued` (see `LoopRooms`).
    var isFlushPending: Bool { get set }
    /// Queues `message` (the policy of `OutboundQueue`); false when it was not queued
    /// (the connection is closing, or was just closed for being slow).
    func queue(_ message: RoomMessage, now: LoopInstant, loop: EventLoop) -> Bool
    /// Writes what is queued.
    func flush(loop: EventLoop)
}

extension RoomMember {
    /// Queues `message` and starts writing it (a snapshot for a member that just joined).
    public func deliver(_ message: RoomMessage, loop: EventLoop) {
        if queue(message, now: loop.now, loop: loop) { flush(loop: loop) }
    }

    /// Queues `message` without writing; true when the member must get one `flushQueued`
    /// call (the first message queued since its last flush).
    func enqueue(_ message: RoomMessage, now: LoopInstant, loop: EventLoop) -> Bool {
        guard queue(message, now: now, loop: loop), !isFlushPending else { return false }
        isFlushPending = true
        return true
    }

    /// Writes what `enqueue` queued.
    func flushQueued(loop: EventLoop) {
        isFlushPending = false
        flush(loop: loop)
    }
}

/// The rooms of one loop: which of its connections are in which room. Loop-confined.
///
/// Membership does not change while a room's message is being delivered (uWS's rule):
/// joins and leaves requested during delivery are applied right after it.
///
/// Delivery queues a message on every member and writes once per loop iteration, after
/// all the messages that arrived in that wake-up are queued (`EventLoop.runAfterTasks`): a
/// burst of N messages costs each subscriber one `writev` of N frames, not N syscalls. The
/// kernel's per-send cost dominates fan-out, so this is what bounds a backlog's latency.
///
/// The writes go out in slices of `membersPerFlushSlice` members, one slice per iteration:
/// between slices the loop reads its sockets and runs cross-thread tasks, so a fan-out to
/// thousands neither holds up the loop's other connections (the next publish, a probe) for
/// its whole length nor keeps the next message from reaching the other loops. A message
/// that arrives mid-round is queued on every member: those not yet written take it in the
/// same `writev`, those already written are written again in the next round. A member's
/// messages stay in arrival order either way.
final class LoopRooms {
    let hub: RoomHub
    let loopIndex: Int
    private var members: [RoomName: [ObjectIdentifier: any RoomMember]] = [:]
    private var isDelivering = false
    private var deferred: [(join: Bool, room: RoomName, member: any RoomMember)] = []
    /// Members with queued, unwritten messages, waiting for the next round.
    private var needsFlush: [any RoomMember] = []
    /// The round being written, from `flushIndex` on.
    private var flushing: [any RoomMember] = []
    private var flushIndex = 0
    private var isFlushScheduled = false
    /// Members written per loop iteration. 256: at ~5 µs per loopback `writev` (2 cores),
    /// about a millisecond and a half between looks at the loop's other work.
    static let membersPerFlushSlice = 256

    init(hub: RoomHub, loopIndex: Int) {
        self.hub = hub
        self.loopIndex = loopIndex
    }

    func join(_ room: RoomName, _ member: any RoomMember) {
        guard !isDelivering else { return deferred.append((true, room, member)) }
        let id = ObjectIdentifier(member)
        guard members[room]?[id] == nil else { return }
        members[room, default: [:]][id] = member
        hub.memberJoined(room, loopIndex: loopIndex)
    }

    func leave(_ room: RoomName, _ member: any RoomMember) {
        guard !isDelivering else { return deferred.append((false, room, member)) }
        guard members[room]?.removeValue(forKey: ObjectIdentifier(member)) != nil else { return }
        if members[room]?.isEmpty == true { members[room] = nil }
        hub.memberLeft(room, loopIndex: loopIndex)
    }

    func deliver(_ message: RoomMessage, to room: RoomName, loop: EventLoop) {
        guard let roomMembers = members[room] else { return }
        isDelivering = true
        let now = loop.now
        for member in roomMembers.values where member.enqueue(message, now: now, loop: loop) {
            needsFlush.append(member)
        }
        isDelivering = false
        if !needsFlush.isEmpty { scheduleFlush(loop: loop) }
        let pending = deferred
        deferred.removeAll()
        for change in pending {
            if change.join { join(change.room, change.member) } else { leave(change.room, change.member) }
        }
    }
}

extension LoopRooms {
    private func scheduleFlush(loop: EventLoop) {
        guard !isFlushScheduled else { return }
        isFlushScheduled = true
        loop.runAfterTasks { [self] loop in flushSlice(loop: loop) }
    }

    /// Writes the next slice of the current round (starting a round with the members that
    /// queued messages since the last one), and comes back next iteration while any remain.
    private func flushSlice(loop: EventLoop) {
        isFlushScheduled = false
        if flushIndex == flushing.count {
            flushing.removeAll(keepingCapacity: flushing.capacity <= 16_384)
            flushIndex = 0
            swap(&needsFlush, &flushing)
        }
        let end = min(flushing.count, flushIndex + Self.membersPerFlushSlice)
        while flushIndex < end {
            let member = flushing[flushIndex]
            flushIndex += 1
            member.flushQueued(loop: loop)
        }
        if flushIndex < flushing.count || !needsFlush.isEmpty { scheduleFlush(loop: loop) }
    }
}

@available(*, unavailable)
extension LoopRooms: Sendable {}
