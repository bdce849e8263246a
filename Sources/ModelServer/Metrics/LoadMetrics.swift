import CoreMetrics
import Foundation
import ModelLoading
import Synchronization

/// Load metrics (DESIGN §1.9, "unlike other model servers"), fed by the loader's events:
/// time to ready, per-step durations, bytes read and loads by outcome; plus the models by
/// state, read from the loader's snapshot when `/metrics` is rendered.
///
/// - `modeld_load_duration_seconds`: `model_load_started` to `model_load_completed` by the
///   events' timestamps (queueing and retries included); without a `started` seen, the
///   successful attempt's own time.
/// - `modeld_load_step_duration_seconds{step}`: the nine durations a `completed` event
///   carries; a failed or cancelled attempt reports no step durations. The label is the
///   `LoadStep` case in snake case (`load_weights`).
/// - `modeld_load_bytes_total{model}`: the growth of `bytesLoaded` within each attempt, so
///   bytes read by attempts that failed count too.
/// - `modeld_loads_total{outcome}`: one per `completed`, `failed`, `cancelled` event; the
///   three series exist from the start, at 0.
/// - `modeld_model_state{model,state}`: see `MetricName.modelState`; a model removed from the
///   repository loses its series.
/// - `modeld_model_memory_bytes{model}`: see `MetricName.modelMemory`, read when rendered;
///   a removed model loses its series too.
final class LoadMetrics: Sendable {
    /// What has been counted of one model's current load.
    private struct Track {
        var startedAt: Date?
        var attempt = 0
        var bytesCounted: Int64 = 0
    }

    private struct State {
        var tracks: [String: Track] = [:]
        var bytes: [String: CoreMetrics.Counter] = [:]
        var stateGauges: [String: [ModelState: Gauge]] = [:]
        var memoryGauges: [String: Gauge] = [:]
    }

    private let factory: any MetricsFactory
    private let loadDuration: CoreMetrics.Timer
    private let stepDurations: [CoreMetrics.Timer]
    private let outcomes: [LoadEvent.Kind: CoreMetrics.Counter]
    private let state = Mutex(State())

    init(factory: any MetricsFactory) {
        self.factory = factory
        loadDuration = CoreMetrics.Timer(label: MetricName.loadDuration.rawValue, factory: factory)
        stepDurations = LoadStep.allCases.map { step in
            CoreMetrics.Timer(label: MetricName.loadStepDuration.rawValue,
                              dimensions: [(MetricName.Label.step, Self.label(of: step))], factory: factory)
        }
        var outcomes: [LoadEvent.Kind: CoreMetrics.Counter] = [:]
        for kind in [LoadEvent.Kind.completed, .failed, .cancelled] {
            outcomes[kind] = CoreMetrics.Counter(label: MetricName.loads.rawValue,
                                                 dimensions: [(MetricName.Label.outcome, kind.rawValue)], factory: factory)
        }
        self.outcomes = outcomes
    }

    /// Counts one loader event (called by the loader's event bus, synchronously).
    func record(_ event: LoadEvent) {
        let id = event.modelID
        let (bytes, bytesCounter, startedAt) = state.withLock { state -> (Int64, CoreMetrics.Counter?, Date?) in
            var track = state.tracks[id] ?? Track()
            if event.kind == .started {
                track = Track(startedAt: event.timestamp, attempt: event.attempt)
            }
            if event.attempt != track.attempt {
                // A retry reads the weights again from byte 0.
                track.attempt = event.attempt
                track.bytesCounted = 0
            }
            let grown = max(0, event.bytesLoaded - track.bytesCounted)
            track.bytesCounted = max(track.bytesCounted, event.bytesLoaded)
            let startedAt = track.startedAt
            if event.kind == .completed || event.kind == .failed || event.kind == .cancelled { track.startedAt = nil }
            state.tracks[id] = track
            guard grown > 0 else { return (0, nil, startedAt) }
            return (grown, loadBytesCounter(for: id, in: &state), startedAt)
        }
        bytesCounter?.increment(by: bytes)
        outcomes[event.kind]?.increment()
        if event.kind == .completed { recordCompletion(event, startedAt: startedAt) }
    }

    private func recordCompletion(_ event: LoadEvent, startedAt: Date?) {
        let sinceStart = startedAt.map { event.timestamp.timeIntervalSince($0) }
        if let sinceStart, sinceStart >= 0 {
            loadDuration.recordSeconds(sinceStart)
        } else if let timings = event.timings {
            loadDuration.recordSeconds(timings.totalSeconds)
        }
        guard let timings = event.timings else { return }
        for (index, step) in LoadStep.allCases.enumerated() {
            stepDurations[index].recordSeconds(timings.seconds(of: step))
        }
    }

    private func loadBytesCounter(for id: String, in state: inout State) -> CoreMetrics.Counter {
        if let existing = state.bytes[id] { return existing }
        let made = CoreMetrics.Counter(label: MetricName.loadBytes.rawValue, dimensions: [(MetricName.Label.model, id)],
                                       factory: factory)
        state.bytes[id] = made
        return made
    }

    /// Sets the state gauges from `snapshot` (when `/metrics` is rendered): 1 for each
    /// model's state, 0 for its other states; and each model's memory gauge to
    /// `memoryBytes(status)`. Models no longer known lose their series.
    func refreshModelStates(from snapshot: RegistrySnapshot, memoryBytes: (ModelStatus) -> Int = { _ in 0 }) {
        state.withLock { state in
            var gone = Set(state.stateGauges.keys)
            for model in snapshot.models {
                gone.remove(model.id)
                let gauges = state.stateGauges[model.id] ?? makeStateGauges(model: model.id)
                state.stateGauges[model.id] = gauges
                for (modelState, gauge) in gauges { gauge.record(modelState == model.state ? 1 : 0) }
                let memory = state.memoryGauges[model.id]
                    ?? Gauge(label: MetricName.modelMemory.rawValue, dimensions: [(MetricName.Label.model, model.id)],
                             factory: factory)
                state.memoryGauges[model.id] = memory
                memory.record(memoryBytes(model))
            }
            for id in gone {
                state.stateGauges.removeValue(forKey: id)?.values.forEach { $0.destroy() }
                state.memoryGauges.removeValue(forKey: id)?.destroy()
            }
        }
    }

    private func makeStateGauges(model id: String) -> [ModelState: Gauge] {
        var gauges: [ModelState: Gauge] = [:]
        for modelState in ModelState.allCases {
            gauges[modelState] = Gauge(label: MetricName.modelState.rawValue,
                                       dimensions: [(MetricName.Label.model, id), (MetricName.Label.state, modelState.rawValue)],
                                       factory: factory)
        }
        return gauges
    }

    /// `loadWeights` → `load_weights`: the step's name, derived from the `LoadStep` table.
    static func label(of step: LoadStep) -> String {
        var label = ""
        for character in String(describing: step) {
            if character.isUppercase { label += "_" + character.lowercased() } else { label.append(character) }
        }
        return label
    }
}
