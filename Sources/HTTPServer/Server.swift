public import EventLoop
import Synchronization

/// An HTTP/1.1 server on a group of event loops: it owns the loop threads, their listening
/// sockets and their connections.
///
/// Shutdown (`shutdown(gracePeriod:)`), in order: every loop closes its listeners (no new
/// connections), closes idle keep-alive connections, lets in-flight requests finish and
/// answers them with `Connection: close`; a loop stops once it has no connection left, or
/// when the grace period ends, at which point the remaining connections are closed.
///
/// With a `TLSContext`, every listener of the server speaks TLS (HTTPS, and WSS after an
/// upgrade); without one, plain HTTP.
public final class Server: Sendable {
    /// An address the server listens on, as bound (port 0 resolved).
    public struct BoundAddress: Sendable, Equatable {
        public let host: String
        public let port: UInt16
        /// `HOST:PORT` (IPv6 in brackets).
        public let description: String
    }

    /// Connection counters across all loops.
    public let counters = ServerCounters()
    private let router: HTTPRouter
    private let limits: HTTPLimits
    private let observer: (any HTTPRequestObserver)?
    private let onAcceptPaused: (@Sendable (SocketError) -> Void)?
    private let loopCount: Int
    private let tls: TLSContext?
    private let clock: any LoopClock
    private let running = Mutex<(handles: [EventLoopHandle], threads: [LoopThread])>(([], []))

    /// - Parameters:
    ///   - eventLoops: number of loop threads; each accepts on its own `SO_REUSEPORT` socket
    ///     per bound address, and on its own `dup` of each adopted socket.
    ///   - tls: when set, connections speak TLS with this context (`TLSContext.reload`
    ///     changes the certificate for new connections while the server runs).
    ///   - observer: told of every response, on the loop that sent it (request metrics).
    ///   - onAcceptPaused: told, on the loop, of the error that starts each episode in which
    ///     a listener pauses because `accept` fails for want of a resource (`EMFILE`...);
    ///     once per episode, not per failed accept (see `AcceptBackoff`).
    public init(router: HTTPRouter, limits: HTTPLimits, eventLoops: Int, tls: TLSContext? = nil,
                clock: any LoopClock = MonotonicClock(), observer: (any HTTPRequestObserver)? = nil,
                onAcceptPaused: (@Sendable (SocketError) -> Void)? = nil) {
        self.router = router
        self.limits = limits
        self.observer = observer
        self.onAcceptPaused = onAcceptPaused
        loopCount = max(1, eventLoops)
        self.tls = tls
        self.clock = clock
    }

    /// Binds every address (one socket per loop) and starts the loops. Returns the bound
    /// addresses in the order given. Throws without starting anything if a bind fails.
    /// - Parameter onLoopStart: runs on each loop's thread before it starts serving.
    public func start(listen: [(host: String, port: UInt16)],
                      onLoopStart: (@Sendable (EventLoop) -> Void)? = nil) throws(SocketError) -> [BoundAddress] {
        try start(listeners: listen.map { .bind(host: $0.host, port: $0.port) }, onLoopStart: onLoopStart)
    }

    /// Opens every listener (binding addresses, adopting inherited sockets) and starts the
    /// loops. Returns each listener's address in the order given, once every loop is ready
    /// to serve. Throws without starting anything if a bind fails, an inherited descriptor
    /// is not a listening TCP socket, or a loop cannot be made (e.g. out of descriptors).
    /// - Parameter onLoopStart: runs on each loop's thread before it starts serving.
    public func start(listeners: [ListenerSource],
                      onLoopStart: (@Sendable (EventLoop) -> Void)? = nil) throws(SocketError) -> [BoundAddress] {
        var socketsPerLoop = Array(repeating: [LoopListener](), count: loopCount)
        var bound: [BoundAddress] = []
        do throws(SocketError) {
            for source in listeners {
                let first = try open(source, into: &socketsPerLoop)
                bound.append(BoundAddress(host: first.host, port: first.port, description: first.addressDescription))
            }
        } catch {
            for sockets in socketsPerLoop { for listener in sockets { SocketCalls.close(listener.socket.fd) } }
            throw error
        }
        var handles: [EventLoopHandle] = []
        var threads: [LoopThread] = []
        let gate = LoopStartGate()
        var startFailure: SocketError?
        for index in 0..<loopCount {
            do throws(SocketError) {
                let (handle, thread) = try startLoop(index: index, listeners: socketsPerLoop[index], gate: gate,
                                                     onLoopStart: onLoopStart)
                handles.append(handle)
                threads.append(thread)
            } catch {
                startFailure = error
                for sockets in socketsPerLoop[index...] { for listener in sockets { SocketCalls.close(listener.socket.fd) } }
                break
            }
        }
        if let failure = gate.releaseAll(arrived: threads.count, failure: startFailure) {
            // Every loop that was made closes its listeners as it goes away.
            for thread in threads { thread.join() }
            throw failure
        }
        running.withLock { $0 = (handles, threads) }
        return bound
    }

    /// The loops' handles, for running work on them.
    public var loopHandles: [EventLoopHandle] { running.withLock { $0.handles } }

    /// Drains and stops every loop (see the type's documentation), then joins the threads.
    public func shutdown(gracePeriod: Duration) {
        let (handles, threads) = running.withLock { state in
            defer { state = ([], []) }
            return state
        }
        for handle in handles {
            handle.execute { loop in loop.attached(HTTPLoopContext.self)?.beginDrain(loop: loop, gracePeriod: gracePeriod) }
        }
        for thread in threads { thread.join() }
    }

    private func startLoop(index: Int, listeners: [LoopListener], gate: LoopStartGate,
                           onLoopStart: (@Sendable (EventLoop) -> Void)?) throws(SocketError) -> (EventLoopHandle, LoopThread) {
        let handle = try EventLoopHandle(index: index)
        let router = router
        let limits = limits
        let counters = counters
        let clock = clock
        let tls = tls
        let observer = observer
        let onAcceptPaused = onAcceptPaused
        // The loop itself is created on its thread and never leaves it.
        let thread = LoopThread(name: "modeld-loop-\(index)") {
            let loop: EventLoop
            do throws(SocketError) {
                loop = try EventLoop(handle: handle, clock: clock)
            } catch {
                for listener in listeners { SocketCalls.close(listener.socket.fd) }
                _ = gate.arrive(failedWith: error)
                return
            }
            let context = HTTPLoopContext(router: router, limits: limits, counters: counters, tls: tls, observer: observer,
                                          onAcceptPaused: onAcceptPaused)
            loop.attach(context)
            for listener in listeners {
                let acceptor = Acceptor(context: context, fd: listener.socket.fd, interest: listener.interest)
                if acceptor.start(loop: loop) { context.acceptors.append(acceptor) }
            }
            // Serve only once every loop exists; if one could not be made, `start` throws
            // and this loop goes away, closing its listeners.
            guard gate.arrive() else { return }
            onLoopStart?(loop)
            loop.run()
        }
        return (handle, thread)
    }

    /// One listening descriptor of one loop, and how the loop registers it.
    private struct LoopListener {
        let socket: ListeningSocket
        let interest: PollEvents
    }

    /// Opens `source` for every loop, appending to `socketsPerLoop` as it goes (so the caller
    /// can close what was opened if a later step fails); returns loop 0's socket.
    private func open(_ source: ListenerSource, into socketsPerLoop: inout [[LoopListener]]) throws(SocketError) -> ListeningSocket {
        switch source {
        case .bind(let host, let port):
            let first = try ListeningSocket.bind(host: host, port: port, reusePort: true)
            socketsPerLoop[0].append(LoopListener(socket: first, interest: .readable))
            for index in socketsPerLoop.indices.dropFirst() {
                let socket = try ListeningSocket.bind(host: host, port: first.port, reusePort: true)
                socketsPerLoop[index].append(LoopListener(socket: socket, interest: .readable))
            }
            return first
        case .adopt(let fd):
            // One accept queue shared by every loop: a dup per loop, and EPOLLEXCLUSIVE so a
            // connection wakes one loop instead of the whole herd.
            let first = try ListeningSocket.adopt(fd: fd)
            socketsPerLoop[0].append(LoopListener(socket: first, interest: [.readable, .exclusive]))
            for index in socketsPerLoop.indices.dropFirst() {
                socketsPerLoop[index].append(LoopListener(socket: try first.duplicate(), interest: [.readable, .exclusive]))
            }
            return first
        }
    }
}
