/// Waiting for a load's outcome (Triton's load endpoint answers only once it is known).
extension ModelLoader {
    /// Waits until the current queued or running load of `id` ends (ready, failed or
    /// cancelled) and returns the model's status then; returns at once when no load is
    /// pending. `nil` for an unknown id. If the calling task is cancelled, returns the
    /// status at that moment.
    public func waitForOutcome(_ id: String) async -> ModelStatus? {
        guard let (status, loadID) = state.pendingLoad(of: id) else { return state.status(of: id) }
        guard status.state.isLoadPending else { return status }
        let waiterID = nextWaiterID
        nextWaiterID += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: state.status(of: id))
                } else {
                    waiters[loadID, default: [:]][waiterID] = continuation
                }
            }
        } onCancel: {
            Task { await self.resumeWaiter(waiterID, of: loadID, modelID: id) }
        }
    }

    /// Wakes every waiter of load `loadID`.
    func resumeWaiters(of loadID: UInt64, with status: ModelStatus?) {
        for continuation in (waiters.removeValue(forKey: loadID) ?? [:]).values {
            continuation.resume(returning: status)
        }
    }

    private func resumeWaiter(_ waiterID: UInt64, of loadID: UInt64, modelID: String) {
        guard let continuation = waiters[loadID]?.removeValue(forKey: waiterID) else { return }
        continuation.resume(returning: state.status(of: modelID))
    }
}
