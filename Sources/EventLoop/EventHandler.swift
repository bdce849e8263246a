/// Readiness reported by the poller for one descriptor.
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Data (or a pending accept) can be read.
    public static let readable = PollEvents(rawValue: 1 << 0)
    /// The send buffer has room again.
    public static let writable = PollEvents(rawValue: 1 << 1)
    /// The peer hung up (both directions, or its write side with `EPOLLRDHUP`).
    public static let hangup = PollEvents(rawValue: 1 << 2)
    /// The descriptor has a pending error.
    public static let error = PollEvents(rawValue: 1 << 3)
    /// Registration only: of the loops registered for one shared listening socket, wake just
    /// one per new connection (`EPOLLEXCLUSIVE`, Linux 4.5). Such a registration cannot be
    /// modified later, and is told about `.readable` only (no `EPOLLRDHUP`).
    public static let exclusive = PollEvents(rawValue: 1 << 4)
    /// Registration only: report readiness when it arises, not for as long as it lasts
    /// (`EPOLLET`). The handler must read until the socket is drained (a short read or
    /// `EAGAIN`) or come back by itself; in exchange the kernel does not poll the socket
    /// again after each event. Modifying the registration re-checks readiness and reports
    /// what is ready then.
    public static let edgeTriggered = PollEvents(rawValue: 1 << 5)
}

/// A descriptor's registration: its number plus the generation of the slot at the time,
/// so an event for a closed predecessor with the same number is recognised and dropped
/// (STYLE P4, NIO's registration ID, libuv's invalidate-fd).
public struct Registration: Hashable, Sendable {
    /// The file descriptor.
    public let fd: Int32
    /// The slot's generation when this registration was made.
    public let generation: UInt32

    public init(fd: Int32, generation: UInt32) {
        self.fd = fd
        self.generation = generation
    }
}

/// Something registered with a loop: a listener or a connection. Called only on the loop's
/// thread; implementations are loop-confined classes.
public protocol EventHandler: AnyObject {
    /// The poller reported `events` for this handler's descriptor.
    func handleEvent(_ events: PollEvents, loop: EventLoop)
    /// A deadline armed with `EventLoop.armDeadline(_:for:)` has passed. The handler
    /// decides what expired; a stale or moved deadline is simply re-armed or ignored.
    func deadlineReached(at now: LoopInstant, loop: EventLoop)
}

extension EventHandler {
    public func deadlineReached(at now: LoopInstant, loop: EventLoop) {}
}
