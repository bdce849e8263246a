/// The stall watchdog: one task per running load, asleep until the load's progress deadline
/// or, sooner, the next refresh of its estimate.
extension ModelLoader {
    /// How often a running load's `progress` and `eta_seconds` are brought up to date in the
    /// published status while no step change or byte report does it (a long CPU step).
    static let estimateRefreshInterval: Duration = .milliseconds(250)

    /// Watches load `loadID` of `id` until it ends, failing it with `load_stalled` after
    /// `loadStallTimeout` without progress, and refreshing its estimate in between.
    func startWatchdog(for id: String, loadID: UInt64) {
        let state = state
        let runner = runner
        let onEnded = endHandler
        watchdogs[loadID] = Task { [weak self] in
            let clock = ContinuousClock()
            var deadline = clock.now.advanced(by: state.settings.loadStallTimeout)
            while !Task.isCancelled {
                let wake = min(deadline, clock.now.advanced(by: Self.estimateRefreshInterval))
                try? await Task.sleep(until: wake, clock: clock)  // the watchdog wakes to refresh, or at its deadline
                if Task.isCancelled { return }
                if clock.now < deadline {
                    guard state.refreshEstimate(id, loadID: loadID) else { return }
                    continue
                }
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
