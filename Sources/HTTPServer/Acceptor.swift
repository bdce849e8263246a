import EventLoop
#if canImport(Glibc)
import Glibc
#endif

/// Accepts connections from one listening socket on one loop and adopts them there.
///
/// Past `maxConnections` a new connection is accepted and closed at once, so the backlog
/// does not fill with clients that would wait forever, and established connections are
/// kept (DESIGN §1.8).
///
/// When `accept` fails for want of a resource (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`),
/// the listener is taken off the loop for a pause (`AcceptBackoff`) and put back by a loop
/// timer: level-triggered epoll would otherwise report it readable again at once and spin.
/// The pending connections wait in the backlog meanwhile. The first pause of an episode is
/// reported to `HTTPLoopContext.onAcceptPaused`; every pause is counted.
final class Acceptor: EventHandler {
    let context: HTTPLoopContext
    /// The listening descriptor, owned by this acceptor from registration on.
    let fd: Int32
    /// How it is registered (`.exclusive` for an adopted socket shared by loops).
    let interest: PollEvents
    /// Set while registered with the loop; nil during a pause and after `stop`.
    var registration: Registration?
    var backoff = AcceptBackoff()
    private var isStopped = false
    /// Accepts per readiness event, so a connection storm cannot starve other work.
    static let acceptsPerEvent = 64

    init(context: HTTPLoopContext, fd: Int32, interest: PollEvents) {
        self.context = context
        self.fd = fd
        self.interest = interest
    }

    /// Registers the listener with `loop`; false if epoll refused it.
    @discardableResult
    func start(loop: EventLoop) -> Bool {
        guard !isStopped else { return false }
        registration = try? loop.register(fd, interest: interest, handler: self)
        return registration != nil
    }

    /// Stops accepting for good and closes the listener (drain, shutdown).
    func stop(loop: EventLoop) {
        guard !isStopped else { return }
        isStopped = true
        if let registration {
            loop.deregister(registration)
        } else {
            SocketCalls.close(fd)
        }
        registration = nil
    }

    func handleEvent(_ events: PollEvents, loop: EventLoop) {
        guard let registration else { return }
        for _ in 0..<Self.acceptsPerEvent {
            let accepted: Int32?
            do {
                accepted = try SocketCalls.accept(registration.fd)
            } catch {
                guard case .pause(let pause, let startsEpisode) = backoff.acceptFailed(errno: error.errno) else { continue }
                self.pause(for: pause, after: error, startsEpisode: startsEpisode, loop: loop)
                return
            }
            guard let fd = accepted else { return }
            if backoff.isInEpisode { backoff.acceptSucceeded() }
            context.adopt(fd, loop: loop)
        }
    }

    private func pause(for duration: Duration, after error: SocketError, startsEpisode: Bool, loop: EventLoop) {
        guard let registration else { return }
        loop.deregister(registration, closing: false)
        self.registration = nil
        context.counters.acceptPaused()
        if startsEpisode { context.onAcceptPaused?(error) }
        resume(after: duration, loop: loop)
    }

    /// Puts the listener back on the loop after `duration`. If epoll refuses it (out of
    /// memory), waits the next pause and tries again: the listener is never given up.
    private func resume(after duration: Duration, loop: EventLoop) {
        loop.schedule(at: loop.now.advanced(by: duration)) { [weak self] in
            guard let self, !self.isStopped, !self.start(loop: loop) else { return }
            guard case .pause(let next, _) = self.backoff.acceptFailed(errno: ENOMEM) else { return }
            self.resume(after: next, loop: loop)
        }
    }
}

@available(*, unavailable)
extension Acceptor: Sendable {}
