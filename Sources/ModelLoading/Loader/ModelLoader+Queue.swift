/// Slots and the FIFO queue.
extension ModelLoader {
    /// Gives `launch`'s load a slot, starts its thread and its stall watchdog.
    func launchRunning(_ launch: AttemptLaunch) {
        running[launch.token.modelID] = launch.token.loadID
        runner.start(launch, onEnded: endHandler)
        startWatchdog(for: launch.token.modelID, loadID: launch.token.loadID)
    }

    /// Called when load `loadID` of `id` reached a terminal state (or was forgotten): frees
    /// its slot or queue place, wakes its waiters, starts the next queued loads.
    func loadEnded(_ id: String, loadID: UInt64) {
        if running[id] == loadID { running[id] = nil }
        queue.removeAll { $0.loadID == loadID }
        watchdogs.removeValue(forKey: loadID)?.cancel()
        resumeWaiters(of: loadID, with: state.status(of: id))
        startQueuedLoads()
    }

    /// Starts queued loads, oldest first, while slots are free.
    func startQueuedLoads() {
        while running.count < settings.maxConcurrentLoads, !queue.isEmpty {
            let next = queue.removeFirst()
            if let launch = state.startQueued(next.id, loadID: next.loadID) {
                launchRunning(launch)
            }
        }
    }

    /// What a load thread calls when its load ended on its own; hops onto the actor.
    nonisolated var endHandler: LoadRunner.EndHandler {
        { [weak self] id, loadID in
            // The thread must not wait for the actor: it only schedules the bookkeeping.
            Task { await self?.loadEnded(id, loadID: loadID) }
        }
    }
}
