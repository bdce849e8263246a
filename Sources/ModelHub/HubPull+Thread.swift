import Foundation

extension HubPull {
    /// Runs `perform` on a dedicated thread of its own (never an event loop, never blocking
    /// the cooperative pool) and awaits it. Cancelling the calling task sets `cancellation`,
    /// which stops the transfer within 100 ms and keeps the partial blob.
    /// - Parameter progress: called on the pull's thread.
    public func run(progress: @escaping @Sendable (HubProgress) -> Void) async throws(HubError) -> HubSnapshot {
        let pull = self
        let result: Result<HubSnapshot, HubError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    let outcome: Result<HubSnapshot, HubError>
                    do throws(HubError) {
                        outcome = .success(try pull.perform(progress: progress))
                    } catch {
                        outcome = .failure(error)
                    }
                    continuation.resume(returning: outcome)
                }
                thread.name = "modeld-hub-pull"
                thread.start()
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }
}
