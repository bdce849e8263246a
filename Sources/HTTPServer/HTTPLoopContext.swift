import CLinux
import EventLoop
import Synchronization

/// What every connection on one loop shares: the router and limits, the response observer,
/// one read scratch buffer, the cached `Date` line, and the loop's connection count.
/// Loop-confined.
final class HTTPLoopContext {
    let router: HTTPRouter
    let limits: HTTPLimits
    let counters: ServerCounters
    /// When set, every accepted connection speaks TLS.
    let tls: TLSContext?
    /// Told of every response (request metrics); nil when nobody listens.
    let observer: (any HTTPRequestObserver)?
    /// Reads land here first; only the bytes a connection must keep are copied into it.
    let scratch: UnsafeMutableRawBufferPointer
    private(set) var dateCache = HTTPDateCache()
    private var dateSecond: Int64 = -1
    var openConnections = 0
    var isDraining = false
    /// This loop's listeners (held here, as a paused one is not registered with the loop).
    var acceptors: [Acceptor] = []
    /// Told of the first failed `accept` of each episode that pauses a listener.
    let onAcceptPaused: (@Sendable (SocketError) -> Void)?

    init(router: HTTPRouter, limits: HTTPLimits, counters: ServerCounters, tls: TLSContext? = nil,
         observer: (any HTTPRequestObserver)? = nil, onAcceptPaused: (@Sendable (SocketError) -> Void)? = nil,
         scratchBytes: Int = 64 * 1024) {
        self.router = router
        self.onAcceptPaused = onAcceptPaused
        self.limits = limits
        self.counters = counters
        self.tls = tls
        self.observer = observer
        scratch = .allocate(byteCount: scratchBytes, alignment: 16)
    }

    deinit {
        scratch.deallocate()
    }

    /// Brings the cached `Date` line up to the current second (RFC 9110 §6.6.1 wants it on
    /// every response; formatting it once per second keeps it off the per-request path).
    func refreshDate() {
        let second = clinux_realtime_seconds()
        if second != dateSecond {
            dateSecond = second
            dateCache.refresh(epochSeconds: second)
        }
    }

    /// Adopts an accepted socket as an HTTP connection on `loop`, unless the server is
    /// draining or `maxConnections` are already open (then it is closed at once).
    func adopt(_ fd: Int32, loop: EventLoop) {
        guard !isDraining, counters.tryOpen(limit: limits.maxConnections) else {
            SocketCalls.close(fd)
            return
        }
        var transport = ConnectionTransport.plain
        if let tls {
            guard let session = tls.makeSession() else {
                SocketCalls.close(fd)
                counters.connectionClosed()
                return
            }
            transport = .tls(TLSTransport(session: session, fd: fd))
        }
        openConnections += 1
        let connection = HTTPConnection(context: self, registration: Registration(fd: fd, generation: 0),
                                        transport: transport, now: loop.now)
        // TLS writes its handshake in several records: Nagle off from the start. A plain
        // connection turns it off before its second write (`HTTPConnection.isNoDelaySet`).
        if case .tls = transport { connection.setNoDelay() }
        do {
            connection.interest = PollEvents.readable.union(HTTPConnection.pollMode(of: transport))
            connection.registration = try loop.register(fd, interest: connection.interest, handler: connection)
        } catch {
            transport.close()
            SocketCalls.close(fd)
            connectionClosed(loop: loop)
            return
        }
        connection.armDeadlineIfNeeded(loop: loop)
    }

    /// A connection on this loop closed.
    func connectionClosed(loop: EventLoop) {
        openConnections -= 1
        counters.connectionClosed()
        if isDraining && openConnections == 0 { loop.stop() }
    }
}

@available(*, unavailable)
extension HTTPLoopContext: Sendable {}

/// Counters shared by all loops of a server (connection limit, metrics).
public final class ServerCounters: Sendable {
    private let open = Atomic<Int>(0)
    private let accepted = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let acceptPauses = Atomic<Int>(0)

    public init() {}

    /// Connections open right now.
    public var openConnections: Int { open.load(ordering: .relaxed) }
    /// Connections accepted since start.
    public var acceptedConnections: Int { accepted.load(ordering: .relaxed) }
    /// Connections closed at once because `maxConnections` was reached.
    public var refusedConnections: Int { refused.load(ordering: .relaxed) }

    /// Times a listener was paused because `accept` failed for want of a resource
    /// (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`; see `AcceptBackoff`).
    public var acceptPausesCount: Int { acceptPauses.load(ordering: .relaxed) }

    func acceptPaused() {
        acceptPauses.wrappingAdd(1, ordering: .relaxed)
    }

    /// Claims a connection slot; false when `limit` connections are already open.
    func tryOpen(limit: Int) -> Bool {
        let now = open.wrappingAdd(1, ordering: .relaxed).newValue
        if now > limit {
            open.wrappingSubtract(1, ordering: .relaxed)
            refused.wrappingAdd(1, ordering: .relaxed)
            return false
        }
        accepted.wrappingAdd(1, ordering: .relaxed)
        return true
    }

    func connectionClosed() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }
}

extension HTTPLoopContext {
    /// Starts the drain of this loop (see `Server.shutdown`).
    func beginDrain(loop: EventLoop, gracePeriod: Duration) {
        isDraining = true
        for acceptor in acceptors { acceptor.stop(loop: loop) }
        acceptors.removeAll()
        loop.attached(DrainListeners.self)?.run(loop: loop)
        loop.forEachHandler { ($0 as? any DrainableConnection)?.drain(loop: loop) }
        if openConnections == 0 {
            loop.stop()
            return
        }
        loop.schedule(at: loop.now.advanced(by: gracePeriod)) {
            loop.forEachHandler { ($0 as? any DrainableConnection)?.forceClose(loop: loop) }
            loop.stop()
        }
    }
}
