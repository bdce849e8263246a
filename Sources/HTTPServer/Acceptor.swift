import EventLoop

/// Accepts connections from one listening socket on one loop and adopts them there.
///
/// Past `maxConnections` a new connection is accepted and closed at once, so the backlog
/// does not fill with clients that would wait forever, and established connections are
/// kept (DESIGN §1.8).
final class Acceptor: EventHandler {
    let context: HTTPLoopContext
    /// Set once registered with the loop.
    var registration: Registration?
    /// Accepts per readiness event, so a connection storm cannot starve other work.
    static let acceptsPerEvent = 64

    init(context: HTTPLoopContext) {
        self.context = context
    }

    func handleEvent(_ events: PollEvents, loop: EventLoop) {
        guard let registration else { return }
        for _ in 0..<Self.acceptsPerEvent {
            let accepted: Int32?
            do {
                accepted = try SocketCalls.accept(registration.fd)
            } catch {
                // EMFILE/ENFILE and friends: try again on the next readiness event.
                return
            }
            guard let fd = accepted else { return }
            context.adopt(fd, loop: loop)
        }
    }
}

@available(*, unavailable)
extension Acceptor: Sendable {}
