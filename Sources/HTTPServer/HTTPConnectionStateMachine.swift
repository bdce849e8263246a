public import EventLoop

/// The timing and lifecycle decisions of one HTTP connection, as a value (STYLE P1).
///
/// Policies it enforces:
/// - A request's head must arrive within `headerReadTimeout` of its first byte, else `408`
///   and close (slowloris guard, DESIGN §1.8).
/// - A keep-alive connection idle for `idleTimeout` between requests is closed silently.
/// - Requests are handled one at a time in arrival order: while a response is outstanding,
///   later pipelined requests wait in the read buffer, so responses leave in request order
///   (RFC 9112 §9.3.2).
/// - Draining (shutdown): an idle connection closes at once; a busy one finishes its current
///   request, answers it with `Connection: close`, then closes.
///
/// It never reads the clock: every event carries `now`.
public struct HTTPConnectionStateMachine: Sendable {
    /// Where the connection is in its request cycle.
    public enum State: Sendable, Equatable {
        /// Waiting for the first byte of the next request since the instant given.
        case idle(since: LoopInstant)
        /// Receiving a request (head or body) that started at the instant given.
        case receiving(startedAt: LoopInstant, headComplete: Bool)
        /// A handler is producing the response.
        case awaitingResponse
        /// No more requests will be read; the connection closes once its output is flushed.
        case closing
    }

    /// What the connection must do after an event.
    public enum Action: Sendable, Equatable {
        case none
        /// Make sure a deadline fires at (or before) this instant.
        case armDeadline(LoopInstant)
        /// Answer `408 Request Timeout` and close.
        case rejectTimedOutRequest
        /// Close without a response.
        case closeConnection
    }

    public private(set) var state: State
    public private(set) var isDraining = false
    private let headerReadTimeout: Duration
    private let idleTimeout: Duration

    public init(limits: HTTPLimits, now: LoopInstant) {
        headerReadTimeout = limits.headerReadTimeout
        idleTimeout = limits.idleTimeout
        state = .idle(since: now)
    }

    /// The instant at which the current state times out, if it can.
    public var deadline: LoopInstant? {
        switch state {
        case .idle(let since): since.advanced(by: idleTimeout)
        case .receiving(let startedAt, headComplete: false): startedAt.advanced(by: headerReadTimeout)
        case .receiving, .awaitingResponse, .closing: nil
        }
    }

    /// Bytes of a new request arrived.
    public mutating func requestBytesArrived(at now: LoopInstant) -> Action {
        guard case .idle = state else { return .none }
        state = .receiving(startedAt: now, headComplete: false)
        return deadline.map(Action.armDeadline) ?? .none
    }

    /// The request's head was parsed; the body (if any) may still be arriving.
    public mutating func headReceived() {
        if case .receiving(let startedAt, _) = state { state = .receiving(startedAt: startedAt, headComplete: true) }
    }

    /// The request is complete and was handed to its handler.
    public mutating func requestDispatched() {
        if state != .closing { state = .awaitingResponse }
    }

    /// The response was queued. Returns whether the connection stays open for another request.
    public mutating func responseQueued(keepAlive: Bool, at now: LoopInstant) -> Bool {
        guard keepAlive, !isDraining, state != .closing else {
            state = .closing
            return false
        }
        state = .idle(since: now)
        return true
    }

    /// The connection stops reading requests (after an error response, or the peer left).
    public mutating func closeRequested() {
        state = .closing
    }

    /// A deadline fired.
    public mutating func deadlineReached(at now: LoopInstant) -> Action {
        guard let deadline else { return .none }
        guard now >= deadline else { return .armDeadline(deadline) }
        switch state {
        case .idle:
            state = .closing
            return .closeConnection
        case .receiving:
            state = .closing
            return .rejectTimedOutRequest
        case .awaitingResponse, .closing:
            return .none
        }
    }

    /// The server is shutting down.
    public mutating func drainRequested() -> Action {
        isDraining = true
        guard case .idle = state else { return .none }
        state = .closing
        return .closeConnection
    }
}
