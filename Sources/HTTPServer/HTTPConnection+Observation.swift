import EventLoop

/// Telling the server's `HTTPRequestObserver` about each response.
extension HTTPConnection {
    /// Remembers what the observer will be told about the request now being answered: its
    /// method, no route yet, and when its first byte was processed (the state machine's
    /// `receiving` instant, so no clock is read here).
    func noteRequestStart(method: HTTPMethod?, loop: EventLoop) {
        guard context.observer != nil else { return }
        pendingRoute = nil
        pendingMethod = method
        if case .receiving(let startedAt, _) = machine.state {
            requestStartedAt = startedAt
        } else {
            requestStartedAt = loop.now
        }
    }

    /// Reports the response just queued (or the `101` about to be written) to the observer.
    func observeResponse(statusCode: Int, at now: LoopInstant, loop: EventLoop) {
        guard let observer = context.observer else { return }
        observer.responseQueued(HTTPResponseRecord(route: pendingRoute, method: pendingMethod, loop: loop.handle.index,
                                                   statusCode: statusCode, startedAt: requestStartedAt, finishedAt: now))
    }
}
