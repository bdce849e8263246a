public import EventLoop

/// Work to do on a loop when the server starts draining, before its connections are asked
/// to finish: a protocol that holds HTTP requests open (Engine.IO's long polls) answers them
/// here, so those connections can close instead of waiting out the grace period.
/// Loop-confined; attached to the loop on first use.
public final class DrainListeners {
    private var listeners: [(EventLoop) -> Void] = []

    private init() {}

    /// The listeners of `loop`, created on first use (from the loop's thread).
    public static func of(_ loop: EventLoop) -> DrainListeners {
        if let existing = loop.attached(DrainListeners.self) { return existing }
        let made = DrainListeners()
        loop.attach(made)
        return made
    }

    /// Runs `listener` once when the server starts draining.
    public func add(_ listener: @escaping (EventLoop) -> Void) {
        listeners.append(listener)
    }

    func run(loop: EventLoop) {
        let pending = listeners
        listeners.removeAll()
        for listener in pending { listener(loop) }
    }
}

@available(*, unavailable)
extension DrainListeners: Sendable {}
