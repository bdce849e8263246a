/// Cancel, unload and the set of known models.
extension LoaderState {
    /// What a cancel found.
    enum CancelResult: Sendable {
        case unknownModel
        case nothingToCancel
        /// The load `loadID` was cancelled; `wasRunning` when it held a slot.
        case cancelled(loadID: UInt64, wasRunning: Bool)
    }

    /// Cancels the queued or running load of `id` at once: the state turns `cancelled`
    /// (keeping the step it stopped at) and `model_load_cancelled` is emitted now; the job
    /// sees its flag at its next check and its thread releases it.
    func cancel(_ id: String) -> CancelResult {
        mutate { registry, events in
            guard var entry = registry.entries[id] else { return .unknownModel }
            let result = cancel(&entry, events: &events)
            registry.entries[id] = entry
            return result
        }
    }

    private func cancel(_ entry: inout LoadEntry, events: inout [LoadEvent]) -> CancelResult {
        guard entry.status.state.isLoadPending else { return .nothingToCancel }
        let wasRunning = entry.status.state == .loading
        entry.stopAttempt()
        entry.status.state = .cancelled
        entry.status.etaSeconds = nil
        events.append(LoadEvent(.cancelled, status: entry.status))
        return .cancelled(loadID: entry.loadID, wasRunning: wasRunning)
    }

    /// What an unload found.
    enum UnloadResult: Sendable {
        case unknownModel
        /// Nothing is loaded or loading (unloaded, failed or cancelled); `state` says which.
        case notLoaded(ModelState)
        case unloaded
        /// A queued or running load was cancelled, then the model was marked `unloaded`;
        /// the actor must free the load's slot or queue place.
        case cancelledLoad(loadID: UInt64)
    }

    /// Takes `id` out of service. A ready model: `unloading` is published, then the model is
    /// dropped, the state turns `unloaded` and `model_unloaded` is emitted; requests already
    /// running keep their own reference until they finish. A queued or loading model: its
    /// load is cancelled (`model_load_cancelled`, the load's terminal event), then it turns
    /// `unloaded` (`model_unloaded`), so an unload always ends `unloaded`.
    func unload(_ id: String) -> UnloadResult {
        let found: UnloadResult = mutate { registry, events in
            guard var entry = registry.entries[id] else { return .unknownModel }
            if case .cancelled(let loadID, _) = cancel(&entry, events: &events) {
                drop(&entry, events: &events)
                registry.entries[id] = entry
                return .cancelledLoad(loadID: loadID)
            }
            guard entry.status.state == .ready else { return .notLoaded(entry.status.state) }
            entry.status.state = .unloading
            registry.entries[id] = entry
            return .unloaded
        }
        guard case .unloaded = found else { return found }
        mutate { registry, events in
            guard var entry = registry.entries[id], entry.status.state == .unloading else { return }
            drop(&entry, events: &events)
            registry.entries[id] = entry
        }
        return .unloaded
    }

    private func drop(_ entry: inout LoadEntry, events: inout [LoadEvent]) {
        entry.model = nil
        entry.status = ModelStatus(id: entry.status.id, required: entry.status.required,
                                   attempt: entry.status.attempt)
        events.append(LoadEvent(.unloaded, status: entry.status))
    }

    /// Replaces the set of known models. New ones start `unloaded`; known ones take the new
    /// descriptor for their next load; removed ones are cancelled or unloaded, then
    /// forgotten. Returns the loads that were cancelled, so the actor frees their slots.
    func setModels(_ descriptors: [ModelDescriptor]) -> [(id: String, loadID: UInt64, wasRunning: Bool)] {
        mutate { registry, events in
            let wanted = Dictionary(descriptors.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            var cancelled: [(id: String, loadID: UInt64, wasRunning: Bool)] = []
            for (id, var entry) in registry.entries.sorted(by: { $0.key < $1.key }) where wanted[id] == nil {
                if case .cancelled(let loadID, let wasRunning) = cancel(&entry, events: &events) {
                    cancelled.append((id, loadID, wasRunning))
                } else if entry.status.state == .ready || entry.status.state == .unloading {
                    drop(&entry, events: &events)
                }
                registry.entries[id] = nil
            }
            for (id, descriptor) in wanted {
                var entry = registry.entries[id] ?? LoadEntry(descriptor: descriptor)
                entry.descriptor = descriptor
                entry.status.required = descriptor.manifest.required
                registry.entries[id] = entry
            }
            return cancelled
        }
    }
}
