import Dispatch
@testable import ModelLoading
import ModelRuntime
import Synchronization
import Testing

/// What a scripted job does in one step.
enum StepAction: Sendable {
    /// Returns at once.
    case succeed
    /// Throws this error.
    case fail(ModelLoadError)
    /// Works "per chunk" until the gate opens, checking `isCancelled` each chunk (and
    /// reporting `bytesPerChunk` more bytes of `totalBytes` when given). Throws `.cancelled`
    /// when cancelled.
    case block(Gate, bytesPerChunk: Int64 = 0, totalBytes: Int64 = 0)
}

/// A latch a test opens to let a blocked job step finish.
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let isOpen = Atomic<Bool>(false)

    func open() {
        isOpen.store(true, ordering: .releasing)
        semaphore.signal()
    }

    /// Waits one "chunk" (at most 2 ms); true once open.
    func waitChunk() -> Bool {
        if isOpen.load(ordering: .acquiring) { return true }
        _ = semaphore.wait(timeout: .now() + .milliseconds(2))
        if isOpen.load(ordering: .acquiring) {
            semaphore.signal()
            return true
        }
        return false
    }
}

struct TestModel: LoadedModel {
    var runtimeName: String { "test" }
    var residentBytes: Int { 0 }
}

/// A `LoadJob` test double that follows a script and records what happened to it.
final class ScriptedJob: LoadJob, Sendable {
    let modelID: String
    let script: [LoadStep: StepAction]
    private let releases = Atomic<Int>(0)
    private let finishedSteps = Mutex<[LoadStep]>([])

    init(modelID: String, script: [LoadStep: StepAction]) {
        self.modelID = modelID
        self.script = script
    }

    var releaseCount: Int { releases.load(ordering: .acquiring) }
    var stepsRun: [LoadStep] { finishedSteps.withLock { $0 } }

    func run(_ step: LoadStep, progress: LoadProgressSink) throws(ModelLoadError) {
        defer { finishedSteps.withLock { $0.append(step) } }
        switch script[step] ?? .succeed {
        case .succeed:
            return
        case .fail(let error):
            throw error
        case .block(let gate, let bytesPerChunk, let totalBytes):
            var loaded: Int64 = 0
            while !gate.waitChunk() {
                if progress.isCancelled() { throw .cancelled }
                if bytesPerChunk > 0 {
                    loaded = min(loaded + bytesPerChunk, totalBytes)
                    progress.reportBytes(loaded, totalBytes)
                }
            }
        }
    }

    func takeLoadedModel() -> (any LoadedModel)? { TestModel() }

    func release() {
        releasedAt.withLock { $0 = $0 ?? ContinuousClock.now }
        releases.add(1, ordering: .acquiringAndReleasing)
    }

    /// When `release()` was first called (measured by the releasing thread itself, so a
    /// test's own scheduling delays do not count).
    let releasedAt = Mutex<ContinuousClock.Instant?>(nil)
}

/// Hands out jobs: the next queued script per model (all steps succeed when none), and keeps
/// every job it made.
final class JobFactory: Sendable {
    private let scripts = Mutex<[String: [[LoadStep: StepAction]]]>([:])
    private let made = Mutex<[ScriptedJob]>([])

    func enqueue(_ script: [LoadStep: StepAction], for id: String) {
        scripts.withLock { $0[id, default: []].append(script) }
    }

    func makeJob(_ descriptor: ModelDescriptor) -> any LoadJob {
        let script = scripts.withLock { scripts -> [LoadStep: StepAction] in
            scripts[descriptor.id]?.isEmpty == false ? scripts[descriptor.id]!.removeFirst() : [:]
        }
        let job = ScriptedJob(modelID: descriptor.id, script: script)
        made.withLock { $0.append(job) }
        return job
    }

    /// Drops the scripts no job has taken yet.
    func discardScripts() {
        scripts.withLock { $0.removeAll() }
    }

    func jobs(for id: String) -> [ScriptedJob] {
        made.withLock { $0.filter { $0.modelID == id } }
    }
}

/// Records events and lets a test await a condition on them, with a deadline.
final class EventRecorder: Sendable {
    private struct Waiter {
        var predicate: @Sendable ([LoadEvent]) -> Bool
        var continuation: CheckedContinuation<Bool, Never>
    }
    private struct State {
        var events: [LoadEvent] = []
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
    }
    private let state = Mutex(State())

    var events: [LoadEvent] { state.withLock { $0.events } }

    func events(for id: String) -> [LoadEvent] { events.filter { $0.modelID == id } }

    func record(_ event: LoadEvent) {
        let ready = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.events.append(event)
            let due = state.waiters.filter { $0.value.predicate(state.events) }
            for id in due.keys { state.waiters[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in ready { continuation.resume(returning: true) }
    }

    /// Waits until `predicate` holds for the events so far; false after `timeout`.
    func wait(timeout: Duration = .seconds(10), until predicate: @escaping @Sendable ([LoadEvent]) -> Bool) async -> Bool {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: false)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let holds = state.withLock { state in
                if predicate(state.events) { return true }
                state.waiters[id] = Waiter(predicate: predicate, continuation: continuation)
                return false
            }
            if holds { continuation.resume(returning: true) }
        }
    }

    /// Waits for an event of `kind` for `id` (and `step`, when given).
    func wait(for kind: LoadEvent.Kind, of id: String, step: LoadStep? = nil, attempt: Int? = nil) async -> Bool {
        await wait { events in
            events.contains {
                $0.kind == kind && $0.modelID == id && (step == nil || $0.step == step)
                    && (attempt == nil || $0.attempt == attempt)
            }
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes, yielding between checks: for facts
/// a load thread sets without an event (a job released).
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return condition()
}

/// A loader with test models, a job factory and an event recorder.
struct LoaderHarness {
    let loader: ModelLoader
    let jobs = JobFactory()
    let recorder = EventRecorder()
    let subscription: LoadSubscription

    init(models: [String] = ["alpha"], settings: LoaderSettings = LoaderSettings(), required: Bool = true) async {
        let jobs = jobs
        loader = ModelLoader(settings: settings, makeJob: { jobs.makeJob($0) }, history: ETAHistory(stateDirectory: nil))
        let recorder = recorder
        subscription = loader.subscribe { recorder.record($0) }
        await loader.setModels(models.map {
            ModelDescriptor(id: $0, directory: "/models/\($0)", manifest: ModelManifest(runtime: "test", required: required))
        })
    }

    func kinds(of id: String) -> [LoadEvent.Kind] {
        recorder.events(for: id).map(\.kind)
    }
}

struct LoaderTests {
    @Test("a successful load emits started, progress for steps 1 to 9, then completed")
    func successfulLoadEventOrder() async {
        let harness = await LoaderHarness()
        #expect(await harness.loader.load("alpha") == .started)
        let status = await harness.loader.waitForOutcome("alpha")
        #expect(status?.state == .ready)
        let events = harness.recorder.events(for: "alpha")
        #expect(events.map(\.name) == ["model_load_started"] + Array(repeating: "model_load_progress", count: 9)
            + ["model_load_completed"])
        #expect(events.dropFirst().prefix(9).map(\.step) == LoadStep.allCases.map { Optional($0) })
        #expect(events.allSatisfy { $0.attempt == 1 })
        #expect(events.last?.timings?.stepSeconds.count == LoadStep.total)
        #expect(events.last?.progress == 1)
        #expect(harness.loader.loadedModel("alpha") != nil)
        #expect(harness.loader.snapshot.status(of: "alpha")?.state == .ready)
        #expect(await eventually { harness.jobs.jobs(for: "alpha").first?.releaseCount == 1 })
        #expect(harness.jobs.jobs(for: "alpha").first?.stepsRun == LoadStep.allCases)
    }

    @Test("a load request for a loading model joins it instead of starting a second job")
    func secondRequestJoins() async {
        let harness = await LoaderHarness()
        let gate = Gate()
        harness.jobs.enqueue([.loadTokenizer: .block(gate)], for: "alpha")
        #expect(await harness.loader.load("alpha") == .started)
        #expect(await harness.recorder.wait(for: .progress, of: "alpha", step: .loadTokenizer))
        #expect(await harness.loader.load("alpha") == .joined)
        gate.open()
        #expect(await harness.loader.waitForOutcome("alpha")?.state == .ready)
        #expect(harness.jobs.jobs(for: "alpha").count == 1)
        #expect(harness.kinds(of: "alpha").filter { $0 == .started }.count == 1)
        #expect(await harness.loader.load("alpha") == .alreadyReady)
        #expect(await harness.loader.load("nope") == .unknownModel)
    }

    @Test("waiting for the outcome of a model with no load pending returns at once")
    func waitWithoutLoadReturnsAtOnce() async {
        let harness = await LoaderHarness()
        #expect(await harness.loader.waitForOutcome("alpha")?.state == .unloaded)
        #expect(await harness.loader.waitForOutcome("nope") == nil)
    }

    @Test("unloading a ready model emits model_unloaded and drops the model")
    func unloadReadyModel() async {
        let harness = await LoaderHarness()
        #expect(await harness.loader.unload("alpha") == .notLoaded(state: .unloaded))
        _ = await harness.loader.load("alpha")
        _ = await harness.loader.waitForOutcome("alpha")
        #expect(await harness.loader.unload("alpha") == .unloaded)
        #expect(harness.kinds(of: "alpha").last == .unloaded)
        #expect(harness.recorder.events(for: "alpha").last?.name == "model_unloaded")
        #expect(harness.loader.loadedModel("alpha") == nil)
        #expect(harness.loader.snapshot.status(of: "alpha")?.state == .unloaded)
        #expect(await harness.loader.unload("nope") == .unknownModel)
        #expect(await harness.loader.load("alpha") == .started)
        #expect(await harness.loader.waitForOutcome("alpha")?.state == .ready)
    }

    @Test("unloading a loading or queued model cancels its load and ends unloaded; the slot goes to the next")
    func unloadPendingModelCancelsIt() async {
        let harness = await LoaderHarness(models: ["alpha", "beta", "gamma"])
        let gate = Gate()
        harness.jobs.enqueue([.checkCache: .block(gate)], for: "alpha")
        #expect(await harness.loader.load("alpha") == .started)
        #expect(await harness.loader.load("beta") == .queued)
        #expect(await harness.loader.load("gamma") == .queued)
        #expect(await harness.recorder.wait(for: .progress, of: "alpha", step: .checkCache))

        #expect(await harness.loader.unload("beta") == .cancelledLoad)
        #expect(harness.kinds(of: "beta").suffix(2) == [.cancelled, .unloaded])
        #expect(harness.loader.snapshot.status(of: "beta")?.state == .unloaded)

        #expect(await harness.loader.unload("alpha") == .cancelledLoad)
        #expect(harness.kinds(of: "alpha").suffix(2) == [.cancelled, .unloaded])
        #expect(harness.loader.snapshot.status(of: "alpha")?.state == .unloaded)
        #expect(await eventually { harness.jobs.jobs(for: "alpha").first?.releaseCount == 1 })
        // The freed slot went to gamma, not to the unloaded beta.
        #expect(await harness.loader.waitForOutcome("gamma")?.state == .ready)
        #expect(harness.jobs.jobs(for: "beta").isEmpty)
        #expect(await harness.loader.unload("alpha") == .notLoaded(state: .unloaded))
        #expect(await harness.loader.load("alpha") == .started)
        #expect(await harness.loader.waitForOutcome("alpha")?.state == .ready)
    }

    @Test("given a loading model, when setModels drops it, its load is cancelled and it is forgotten")
    func removedModelIsCancelled() async {
        let harness = await LoaderHarness(models: ["alpha", "beta"])
        let gate = Gate()
        harness.jobs.enqueue([.checkCache: .block(gate)], for: "alpha")
        _ = await harness.loader.load("alpha")
        #expect(await harness.recorder.wait(for: .progress, of: "alpha", step: .checkCache))
        await harness.loader.setModels([ModelDescriptor(id: "beta", directory: "/m/beta", manifest: ModelManifest(runtime: "test"))])
        #expect(harness.kinds(of: "alpha").last == .cancelled)
        #expect(harness.loader.snapshot.status(of: "alpha") == nil)
        #expect(await eventually { harness.jobs.jobs(for: "alpha").first?.releaseCount == 1 })
    }
}

struct LoadEventBusTests {
    private func event(_ id: String) -> LoadEvent {
        LoadEvent(kind: .progress, modelID: id, state: .loading, attempt: 1, step: .initialize,
                  progress: 0, bytesLoaded: 0, bytesTotal: 0, etaSeconds: nil)
    }

    @Test("every subscriber gets every event in order; a cancelled one gets no more")
    func fanOutAndCancel() {
        let bus = LoadEventBus()
        let first = EventRecorder()
        let second = EventRecorder()
        let subscription = bus.subscribe { first.record($0) }
        _ = bus.subscribe { second.record($0) }
        bus.publish(event("a"))
        bus.publish(event("b"))
        subscription.cancel()
        bus.publish(event("c"))
        #expect(first.events.map(\.modelID) == ["a", "b"])
        #expect(second.events.map(\.modelID) == ["a", "b", "c"])
    }

    @Test("an event published from inside a handler is delivered after the current one, not nested")
    func reentrantPublishKeepsOrder() {
        let bus = LoadEventBus()
        let recorder = EventRecorder()
        _ = bus.subscribe { event in
            if event.modelID == "a" { bus.publish(LoadEvent(kind: .progress, modelID: "b", state: .loading, attempt: 1,
                                                            step: nil, progress: 0, bytesLoaded: 0, bytesTotal: 0,
                                                            etaSeconds: nil)) }
        }
        _ = bus.subscribe { recorder.record($0) }
        bus.publish(event("a"))
        #expect(recorder.events.map(\.modelID) == ["a", "b"])
    }
}
