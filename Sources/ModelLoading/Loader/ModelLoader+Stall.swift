/// The stall watchdog: one task per running load, asleep until the load's progress deadline.
extension ModelLoader {
    /// Watches load `loadID` of `id` until it ends, failing it with `load_stalled` after
    /// `loadStallTimeout` without progress.
    func startWatchdog(for id: String, loadID: UInt64) {
        let state = state
        let runner = runner
        let onEnded = endHandler
        watchdogs[loadID] = Task { [weak self] in
            let clock = ContinuousClock()
            var deadline = clock.now.advanced(by: state.settings.loadStallTimeout)
            while !Task.isCancelled {
                try? await Task.sleep(until: deadline, clock: clock)  // the stall watchdog wakes at its deadline
                if Task.isCancelled { return }
                switch state.checkStall(id, loadID: loadID) {
                case .gone:
                    return
                case .checkAt(let next):
                    deadline = next
                case .retry(let launch):
                    runner.start(launch, onEnded: onEnded)
                    deadline = clock.now.advanced(by: state.settings.loadStallTimeout)
                case .failed:
                    await self?.loadEnded(id, loadID: loadID)
                    return
                }
            }
        }
    }
}
