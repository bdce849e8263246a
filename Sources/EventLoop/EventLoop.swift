import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// One epoll instance and everything registered with it, driven by one thread.
///
/// A loop iteration, in order (STYLE P5; `runOnce`):
/// 1. wait in `epoll_wait` until an event, a cross-thread task, or the earliest deadline;
/// 2. dispatch each event to its handler, dropping events whose registration generation is
///    stale (the descriptor was closed earlier in the batch);
/// 3. run the cross-thread tasks queued through the `EventLoopHandle`;
/// 4. fire due deadlines and loop-level timers;
/// 5. finish deferred closes: descriptors deregistered during the iteration are closed
///    only now, so no handler is freed from inside its own callback (STYLE P6).
///
/// The loop is confined to its thread: it is not `Sendable`, and other threads reach it
/// only through `handle.execute`.
public final class EventLoop {
    /// The cross-thread entry point of this loop.
    public let handle: EventLoopHandle
    /// The time source for every deadline on this loop.
    public let clock: any LoopClock

    let epollFD: Int32
    var slots: [Slot] = []
    var timers = TimerHeap()
    var tasksByID: [UInt64: () -> Void] = [:]
    var nextTaskID: UInt64 = 0
    var pendingCloses: [Int32] = []
    var taskBuffer: [EventLoopHandle.Task] = []
    /// Work queued with `runAfterTasks`, run once this iteration's tasks are done.
    var afterTasks: [(EventLoop) -> Void] = []
    var afterTasksBuffer: [(EventLoop) -> Void] = []
    var events: UnsafeMutableBufferPointer<epoll_event>
    var isStopRequested = false
    var attachments: [ObjectIdentifier: AnyObject] = [:]

    struct Slot {
        var generation: UInt32 = 0
        var handler: (any EventHandler)?
    }

    /// Creates a loop with its own epoll instance.
    /// - Parameters:
    ///   - handle: the cross-thread entry point, made first so other threads can hold it
    ///     before the loop exists on its own thread; a new one when nil.
    ///   - clock: where deadlines read the time; `MonotonicClock()` outside tests.
    ///   - maxEventsPerWait: events taken per `epoll_wait`; default 256.
    public init(handle: EventLoopHandle? = nil, clock: any LoopClock = MonotonicClock(), maxEventsPerWait: Int = 256) throws(SocketError) {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw SocketError("epoll_create1", errno: clinux_errno()) }
        epollFD = fd
        self.clock = clock
        let resolvedHandle: EventLoopHandle
        if let handle { resolvedHandle = handle } else { resolvedHandle = try EventLoopHandle(index: 0) }
        self.handle = resolvedHandle
        events = .allocate(capacity: maxEventsPerWait)
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = UInt64(UInt32(bitPattern: resolvedHandle.wakeFD))
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, resolvedHandle.wakeFD, &event) == 0 else {
            throw SocketError("epoll_ctl", errno: clinux_errno())
        }
    }

    deinit {
        for (fd, slot) in slots.enumerated() where slot.handler != nil { SocketCalls.close(Int32(fd)) }
        for fd in pendingCloses { SocketCalls.close(fd) }
        SocketCalls.close(epollFD)
        events.deallocate()
    }

    /// The current time on this loop's clock.
    public var now: LoopInstant { clock.now() }

    /// Number of registered descriptors (listeners and connections).
    public var registeredCount: Int { slots.reduce(0) { $0 + ($1.handler == nil ? 0 : 1) } }

    /// Registers `fd` for `interest`. The loop holds the handler until `deregister`.
    public func register(_ fd: Int32, interest: PollEvents, handler: any EventHandler) throws(SocketError) -> Registration {
        let index = Int(fd)
        if index >= slots.count { slots.append(contentsOf: repeatElement(Slot(), count: index - slots.count + 1)) }
        slots[index].generation &+= 1
        slots[index].handler = handler
        let registration = Registration(fd: fd, generation: slots[index].generation)
        var event = makeEvent(registration, interest)
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else {
            slots[index].handler = nil
            throw SocketError("epoll_ctl", errno: clinux_errno())
        }
        return registration
    }

    /// Changes what `registration` is told about (e.g. adds `.writable` after a short write).
    public func modify(_ registration: Registration, interest: PollEvents) {
        guard isCurrent(registration) else { return }
        var event = makeEvent(registration, interest)
        _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, registration.fd, &event)
    }

    /// Removes the registration at once (later events in this batch are ignored) and closes
    /// the descriptor at the end of the iteration.
    public func deregister(_ registration: Registration, closing: Bool = true) {
        guard isCurrent(registration) else { return }
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, registration.fd, nil)
        forget(registration, closing: closing)
    }

    /// Removes the registration at once and closes the descriptor at the end of the
    /// iteration, like `deregister`, but without `EPOLL_CTL_DEL`: closing the only descriptor
    /// of an open file takes it out of the epoll set, and no `epoll_wait` runs between this
    /// call and the close (the closes are the iteration's last phase). One system call fewer
    /// per connection. Only for a descriptor nothing has duplicated (an accepted socket, made
    /// close-on-exec); a `dup` (an adopted listener) must use `deregister`, or the epoll set
    /// would keep reporting it.
    public func deregisterClosingSoleDescriptor(_ registration: Registration) {
        guard isCurrent(registration) else { return }
        forget(registration, closing: true)
    }

    /// Drops the handler (later events in this batch carry a stale generation) and queues the
    /// close for the end of the iteration.
    private func forget(_ registration: Registration, closing: Bool) {
        let index = Int(registration.fd)
        slots[index].generation &+= 1
        slots[index].handler = nil
        if closing { pendingCloses.append(registration.fd) }
    }

    /// Whether `registration` still names a live registration.
    public func isCurrent(_ registration: Registration) -> Bool {
        let index = Int(registration.fd)
        return index < slots.count && slots[index].generation == registration.generation && slots[index].handler != nil
    }

    /// Calls the handler's `deadlineReached` at or after `deadline`.
    public func armDeadline(_ deadline: LoopInstant, for registration: Registration) {
        timers.insert(deadline, .handler(registration))
    }

    /// Runs `task` on this loop at or after `deadline` (loop-level timers).
    public func schedule(at deadline: LoopInstant, _ task: @escaping () -> Void) {
        nextTaskID &+= 1
        tasksByID[nextTaskID] = task
        timers.insert(deadline, .task(nextTaskID))
    }

    /// Visits every registered handler (for drain and shutdown).
    public func forEachHandler(_ body: (any EventHandler) -> Void) {
        for slot in slots { if let handler = slot.handler { body(handler) } }
    }

    /// Makes `run()` return after the current iteration.
    public func stop() {
        isStopRequested = true
    }

    private func makeEvent(_ registration: Registration, _ interest: PollEvents) -> epoll_event {
        var mask: UInt32 = 0
        if interest.contains(.exclusive) {
            // epoll_ctl(2): EPOLLEXCLUSIVE accepts only EPOLLIN/EPOLLOUT/EPOLLET/EPOLLWAKEUP
            // beside it; EPOLLRDHUP would make the registration fail with EINVAL.
            mask |= EPOLLEXCLUSIVE.rawValue
            if interest.contains(.readable) { mask |= EPOLLIN.rawValue }
        } else if interest.contains(.readable) {
            mask |= EPOLLIN.rawValue | EPOLLRDHUP.rawValue
        }
        if interest.contains(.writable) { mask |= EPOLLOUT.rawValue }
        if interest.contains(.edgeTriggered) { mask |= EPOLLET.rawValue }
        var event = epoll_event()
        event.events = mask
        event.data.u64 = UInt64(registration.generation) << 32 | UInt64(UInt32(bitPattern: registration.fd))
        return event
    }
}

@available(*, unavailable)
extension EventLoop: Sendable {}
