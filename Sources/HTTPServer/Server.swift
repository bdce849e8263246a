public import EventLoop
import Synchronization

/// An HTTP/1.1 server on a group of event loops: it owns the loop threads, their listening
/// sockets and their connections.
///
/// Shutdown (`shutdown(gracePeriod:)`), in order: every loop closes its listeners (no new
/// connections), closes idle keep-alive connections, lets in-flight requests finish and
/// answers them with `Connection: close`; a loop stops once it has no connection left, or
/// when the grace period ends, at which point the remaining connections are closed.
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
    private let loopCount: Int
    private let clock: any LoopClock
    private let running = Mutex<(handles: [EventLoopHandle], threads: [LoopThread])>(([], []))

    /// - Parameters:
    ///   - eventLoops: number of loop threads; each accepts on its own `SO_REUSEPORT` socket.
    ///   - observer: told of every response, on the loop that sent it (request metrics).
    public init(router: HTTPRouter, limits: HTTPLimits, eventLoops: Int, clock: any LoopClock = MonotonicClock(),
                observer: (any HTTPRequestObserver)? = nil) {
        self.router = router
        self.limits = limits
        self.observer = observer
        loopCount = max(1, eventLoops)
        self.clock = clock
    }

    /// Binds every address (one socket per loop) and starts the loops. Returns the bound
    /// addresses in the order given. Throws without starting anything if a bind fails.
    /// - Parameter onLoopStart: runs on each loop's thread before it starts serving.
    public func start(listen: [(host: String, port: UInt16)],
                      onLoopStart: (@Sendable (EventLoop) -> Void)? = nil) throws(SocketError) -> [BoundAddress] {
        var socketsPerLoop = Array(repeating: [ListeningSocket](), count: loopCount)
        var bound: [BoundAddress] = []
        do throws(SocketError) {
            for address in listen {
                let first = try ListeningSocket.bind(host: address.host, port: address.port, reusePort: true)
                socketsPerLoop[0].append(first)
                for index in 1..<max(loopCount, 1) where loopCount > 1 {
                    socketsPerLoop[index].append(try ListeningSocket.bind(host: address.host, port: first.port, reusePort: true))
                }
                bound.append(BoundAddress(host: first.host, port: first.port, description: first.addressDescription))
            }
        } catch {
            for sockets in socketsPerLoop { for socket in sockets { SocketCalls.close(socket.fd) } }
            throw error
        }
        var handles: [EventLoopHandle] = []
        var threads: [LoopThread] = []
        for index in 0..<loopCount {
            let (handle, thread) = try startLoop(index: index, sockets: socketsPerLoop[index], onLoopStart: onLoopStart)
            handles.append(handle)
            threads.append(thread)
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

    private func startLoop(index: Int, sockets: [ListeningSocket],
                           onLoopStart: (@Sendable (EventLoop) -> Void)?) throws(SocketError) -> (EventLoopHandle, LoopThread) {
        let handle = try EventLoopHandle(index: index)
        let router = router
        let limits = limits
        let counters = counters
        let clock = clock
        let observer = observer
        // The loop itself is created on its thread and never leaves it.
        let thread = LoopThread(name: "modeld-loop-\(index)") {
            let loop: EventLoop
            do {
                loop = try EventLoop(handle: handle, clock: clock)
            } catch {
                fatalError("cannot create event loop \(index): \(error)")
            }
            let context = HTTPLoopContext(router: router, limits: limits, counters: counters, observer: observer)
            loop.attach(context)
            for socket in sockets {
                let acceptor = Acceptor(context: context)
                if let registration = try? loop.register(socket.fd, interest: .readable, handler: acceptor) {
                    acceptor.registration = registration
                    context.listeners.append(registration)
                }
            }
            onLoopStart?(loop)
            loop.run()
        }
        return (handle, thread)
    }
}
