@testable import ModelLoading
import Synchronization
import Testing

/// The loader keeps its load slots in two places: the actor's `queue` and `running`, and the
/// registry's states (`queued`, `loading`), which load threads and stall watchdogs change
/// without the actor; `settleEndedLoads` reconciles them. These tests drive both from many
/// tasks at once (and, under `scripts/test --sanitize thread`, under TSan) and check that
/// they never drift: no queued load without its queue place, no running load without its
/// slot, no free slot while loads wait, and no slot left behind once everything is over.
struct LoaderSlotBookkeepingTests {
    @Test("a storm of loads, cancels, unloads, failures and stalls keeps the slots and the registry in step")
    func stormKeepsSlotsInStep() async {
        let models = (0..<6).map { "m\($0)" }
        let slots = 2
        let harness = await LoaderHarness(
            models: models,
            settings: LoaderSettings(maxConcurrentLoads: slots, loadStallTimeout: .milliseconds(40), loadRetries: 1))
        let storm = Storm()

        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var random = SplitMix64(seed: UInt64(worker) &+ 0x5eed)
                    for _ in 0..<120 {
                        let id = models[Int(random.next() % UInt64(models.count))]
                        switch random.next() % 8 {
                        case 0: harness.jobs.enqueue([.loadWeights: .fail(ModelLoadError(code: "io", message: "Bad."))], for: id)
                        case 1, 2:
                            // Blocks until opened below, or stalls (no progress for 40 ms).
                            let gate = Gate()
                            storm.gates.withLock { $0.append(gate) }
                            harness.jobs.enqueue([.checkCache: .block(gate)], for: id)
                        default: break  // every step succeeds at once
                        }
                        switch random.next() % 6 {
                        case 0, 1, 2: _ = await harness.loader.load(id)
                        case 3: _ = await harness.loader.cancel(id)
                        case 4: _ = await harness.loader.unload(id)
                        default:
                            storm.gates.withLock { gates in
                                if !gates.isEmpty { gates.removeFirst().open() }
                            }
                        }
                        let found = await harness.loader.slotDrift()
                        if !found.isEmpty { storm.problems.withLock { $0 += found } }
                    }
                }
            }
        }
        let problems = storm.problems.withLock { $0 }
        #expect(problems.isEmpty, "\(problems.prefix(10))")

        // Let everything end: open every gate and wait for every outcome.
        storm.gates.withLock { gates in for gate in gates { gate.open() } }
        for id in models { _ = await harness.loader.waitForOutcome(id) }
        #expect(harness.loader.snapshot.models.allSatisfy { !$0.state.isLoadPending })
        #expect(await harness.loader.slotDrift().isEmpty)
        let (running, queued) = await harness.loader.settledSlots()
        #expect(running.isEmpty && queued.isEmpty, "slots left behind: running \(running), queued \(queued)")

        // No slot leaked: with every model unloaded, exactly `slots` loads start at once.
        await harness.loader.updateSettings(LoaderSettings(maxConcurrentLoads: slots))
        for id in models { _ = await harness.loader.unload(id) }
        harness.jobs.discardScripts()
        let hold = Gate()
        for id in models { harness.jobs.enqueue([.checkCache: .block(hold)], for: id) }
        var outcomes: [LoadRequestOutcome] = []
        for id in models { outcomes.append(await harness.loader.load(id)) }
        #expect(outcomes.filter { $0 == .started }.count == slots)
        #expect(outcomes.filter { $0 == .queued }.count == models.count - slots)
        hold.open()
        for id in models { #expect(await harness.loader.waitForOutcome(id)?.state == .ready) }
    }

    /// What the storm's tasks share: the problems they found and the gates still closed.
    private final class Storm: Sendable {
        let problems = Mutex<[String]>([])
        let gates = Mutex<[Gate]>([])
    }
}

extension ModelLoader {
    /// The actor's slots once loads that ended on their threads are settled: the loads holding
    /// a slot, and the queued ones in order.
    func settledSlots() -> (running: [String: UInt64], queued: [String]) {
        settleEndedLoads()
        return (running, queue.map { $0.id })
    }

    /// Every disagreement between the actor's slots and the registry, after settling. Exact
    /// although load threads keep running: only the actor moves a model into `queued` or
    /// `loading` (a retry stays `loading` with the same load id), so a thread can only end
    /// a load, which the checks below allow for.
    func slotDrift() -> [String] {
        settleEndedLoads()
        var problems: [String] = []
        if running.count > settings.maxConcurrentLoads {
            problems.append("\(running.count) slots in use, limit \(settings.maxConcurrentLoads)")
        }
        if running.count < settings.maxConcurrentLoads && !queue.isEmpty {
            problems.append("a slot is free while \(queue.map { $0.id }) wait")
        }
        for place in queue {
            guard let (status, loadID) = state.pendingLoad(of: place.id), status.state == .queued, loadID == place.loadID else {
                problems.append("queue place of \(place.id) load \(place.loadID) for a model that is not queued")
                continue
            }
        }
        for status in snapshot.models {
            guard let (current, loadID) = state.pendingLoad(of: status.id) else { continue }
            switch current.state {
            case .loading where running[status.id] != loadID:
                problems.append("\(status.id) is loading (load \(loadID)) without a slot")
            case .queued where !queue.contains(where: { $0.id == status.id && $0.loadID == loadID }):
                problems.append("\(status.id) is queued (load \(loadID)) without a queue place")
            default: break
            }
        }
        return problems
    }
}

/// A small seeded generator (SplitMix64), so a failing storm can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
