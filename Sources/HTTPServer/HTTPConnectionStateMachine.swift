public import EventLoop

/// The timing and lifecycle decisions of one HTTP connection, as a value (STYLE P1).
///
/// Policies it enforces:
/// - A request's head must arrive within `headerReadTimeout` of its first byte, else `408`
///   and close (slowloris guard, DESIGN §1.8).
/// - Its body must arrive within `bodyReadTimeout` of the head's end, else `408` and close:
///   a body that stops arriving cannot hold the connection.
/// - A keep-alive connection idle for `idleTimeout` between requests is closed silently;
///   while a response is still leaving it is not idle, and its idle clock starts again
///   when the output has drained.
/// - Queued output that the socket takes nothing of for `writeTimeout` closes the
///   connection at once, unsent output dropped: a peer that stopped reading is gone.
/// - Requests are handled one at a time in arrival order: while a response is outstanding,
///   later pipelined requests wait in the read buffer, so responses leave in request order
///   (RFC 9112 §9.3.2).
/// - Draining (shutdown): an idle connection closes at once; a busy one finishes its current
///   request and any the client pipelined behind it that were already read, answers the
///   last of them with `Connection: close`, then closes.
///
/// It never reads the clock: every event carries `now`.
public struct HTTPConnectionStateMachine: Sendable {
    /// Where the connection is in its request cycle.
    public enum State: Sendable, Equatable {
        /// Waiting for the first byte of the next request since the instant given.
        case idle(since: LoopInstant)
        /// Receiving a request that started at `startedAt`: its head, then (once
        /// `headCompletedAt` is set) its body.
        case receiving(startedAt: LoopInstant, headCompletedAt: LoopInstant?)
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
        /// The head did not arrive in time: answer `408 Request Timeout` and close.
        case rejectTimedOutRequest
        /// The body did not arrive in time: answer `408 Request Timeout` and close.
        case rejectTimedOutBody
        /// Close without a response.
        case closeConnection
        /// Close at once, dropping unsent output: the peer took none of it for `writeTimeout`.
        case closeStalledConnection
    }

    public private(set) var state: State
    public private(set) var isDraining = false
    /// Since when queued output has waited with no byte taken; nil while output flows.
    public private(set) var writeStalledSince: LoopInstant?
    /// The limits' timeouts in nanoseconds (see `LoopInstant.advanced(byNanoseconds:)`).
    private let headerReadTimeout: Int64
    private let bodyReadTimeout: Int64
    private let idleTimeout: Int64
    private let writeTimeout: Int64

    public init(limits: HTTPLimits, now: LoopInstant) {
        headerReadTimeout = limits.headerReadTimeout.nanosecondsClamped
        bodyReadTimeout = limits.bodyReadTimeout.nanosecondsClamped
        idleTimeout = limits.idleTimeout.nanosecondsClamped
        writeTimeout = limits.writeTimeout.nanosecondsClamped
        state = .idle(since: now)
    }

    /// The instant at which the current state or a stalled write times out, if either can.
    public var deadline: LoopInstant? {
        guard let stalled = writeStalledSince else { return stateDeadline }
        let writeDeadline = stalled.advanced(byNanoseconds: writeTimeout)
        // Output still leaving: the connection is not idle, only the write clock runs.
        if case .idle = state { return writeDeadline }
        guard let stateDeadline else { return writeDeadline }
        return min(stateDeadline, writeDeadline)
    }

    private var stateDeadline: LoopInstant? {
        switch state {
        case .idle(let since): since.advanced(byNanoseconds: idleTimeout)
        case .receiving(let startedAt, headCompletedAt: nil): startedAt.advanced(byNanoseconds: headerReadTimeout)
        case .receiving(_, headCompletedAt: let headEnd?): headEnd.advanced(byNanoseconds: bodyReadTimeout)
        case .awaitingResponse, .closing: nil
        }
    }

    /// Bytes of a new request arrived.
    public mutating func requestBytesArrived(at now: LoopInstant) -> Action {
        guard case .idle = state else { return .none }
        state = .receiving(startedAt: now, headCompletedAt: nil)
        return deadline.map(Action.armDeadline) ?? .none
    }

    /// The request's head was parsed at `now`; the body (if any) may still be arriving and
    /// must be complete by `now + bodyReadTimeout`.
    public mutating func headReceived(at now: LoopInstant) {
        if case .receiving(let startedAt, _) = state { state = .receiving(startedAt: startedAt, headCompletedAt: now) }
    }

    /// The request is complete and was handed to its handler.
    public mutating func requestDispatched() {
        if state != .closing { state = .awaitingResponse }
    }

    /// The response was queued. Returns whether the connection stays open for another request.
    /// While draining it stays open only if `requestBytesWaiting`: the client pipelined more
    /// requests and they were already read, so they are answered too.
    public mutating func responseQueued(keepAlive: Bool, requestBytesWaiting: Bool = false, at now: LoopInstant) -> Bool {
        guard keepAlive, !isDraining || requestBytesWaiting, state != .closing else {
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

    /// A write left output queued. `progressed` says whether the socket took any byte of it
    /// in this attempt; the stall clock starts when output first waits and restarts at every
    /// byte taken, so only a peer that takes nothing for `writeTimeout` is cut off.
    public mutating func outputBlocked(progressed: Bool, at now: LoopInstant) -> Action {
        if progressed || writeStalledSince == nil { writeStalledSince = now }
        return deadline.map(Action.armDeadline) ?? .none
    }

    /// Every queued byte has left, after `outputBlocked` (a write that never waited needs
    /// no call). An idle connection's idle clock starts again at `now`.
    public mutating func outputDrained(at now: LoopInstant) {
        writeStalledSince = nil
        if case .idle = state { state = .idle(since: now) }
    }

    /// A deadline fired.
    public mutating func deadlineReached(at now: LoopInstant) -> Action {
        guard let deadline else { return .none }
        guard now >= deadline else { return .armDeadline(deadline) }
        if let stalled = writeStalledSince, now >= stalled.advanced(byNanoseconds: writeTimeout) {
            state = .closing
            return .closeStalledConnection
        }
        switch state {
        case .idle:
            state = .closing
            return .closeConnection
        case .receiving(_, headCompletedAt: nil):
            state = .closing
            return .rejectTimedOutRequest
        case .receiving:
            state = .closing
            return .rejectTimedOutBody
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
