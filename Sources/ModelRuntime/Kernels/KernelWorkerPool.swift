#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Helper threads kept for the process's life that run `ParallelLoop`'s chunks together with
/// the calling thread, so a forward pass (about 30 parallel calls of a few dozen microseconds
/// each for a short sentence, 40 of about a millisecond for a batch of 32) does not pay a
/// Dispatch worker wake-up per call.
///
/// Protocol: a call publishes its chunk body and count, then a new generation in `state`
/// (generation in the high bits, next unclaimed chunk in the low 24). Every participant
/// claims chunks by compare-and-swap on `state`, which fails once the generation moved on,
/// so a helper that wakes late never runs an old call's body; the caller returns only when
/// `finished` counts every chunk, so the body it lent outlives every claimed chunk. Helpers
/// spin on `state` for up to `spinNanoseconds` after their last chunk (the gap between two
/// calls of one pass), then sleep on their semaphore until a caller wakes them; `rest()`
/// (the end of a pass) sends idle helpers to sleep at once, and `wake()` (the start of the
/// next) wakes them ahead of its first call. One call at a time: a caller that finds the
/// pool busy (two models' passes at once) runs on Dispatch instead.
final class KernelWorkerPool: Sendable {
    /// The process's pool: one helper per core beyond the first; nil on one core.
    static let shared: KernelWorkerPool? = ParallelLoop.coreCount > 1
        ? KernelWorkerPool(helperCount: ParallelLoop.coreCount - 1) : nil

    /// How long an idle helper keeps polling before it sleeps: longer than the gap between
    /// two kernel calls of one pass, short enough not to hold a core between requests.
    static let spinNanoseconds: UInt64 = 100_000

    private static let chunkBits = 24
    private static let chunkMask = (1 << chunkBits) - 1

    private let state = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let chunkCount = Atomic<Int>(0)
    /// The address of the running call's `(Int) -> Void` (a raw address: pointers are not Sendable).
    private let body = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// Set by `rest()`: idle helpers sleep without waiting out `spinNanoseconds`.
    private let resting = Atomic<Bool>(false)
    private let helpers: [Helper]

    /// One helper's wake-up: `sleeping` is set before it waits, and whoever clears it signals.
    private final class Helper: Sendable {
        let sleeping = Atomic<Bool>(false)
        let wakeUp = DispatchSemaphore(value: 0)
    }

    private init(helperCount: Int) {
        helpers = (0..<helperCount).map { _ in Helper() }
        for helper in helpers { startThread(helper) }
    }

    /// Wakes the sleeping helpers without giving them work: they poll for the next call for
    /// up to `spinNanoseconds`.
    func wake() {
        resting.store(false, ordering: .relaxed)
        for helper in helpers where helper.sleeping.exchange(false, ordering: .acquiringAndReleasing) {
            helper.wakeUp.signal()
        }
    }

    /// Lets the idle helpers sleep now rather than poll for a call that is not coming; a
    /// call or `wake()` wakes them again.
    func rest() {
        resting.store(true, ordering: .relaxed)
    }

    /// Runs `body(chunk)` for every chunk in `0..<count` on the caller and the helpers, and
    /// returns when all have finished; false (nothing run) when the pool is busy or `count`
    /// does not fit the claim counter.
    func run(chunkCount count: Int, _ body: (Int) -> Void) -> Bool {
        guard count <= Self.chunkMask,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { escapable in
            var call = escapable
            withUnsafePointer(to: &call) { pointer in
                resting.store(false, ordering: .relaxed)
                self.body.store(Int(bitPattern: pointer), ordering: .relaxed)
                chunkCount.store(count, ordering: .relaxed)
                finished.store(0, ordering: .relaxed)
                let generation = (state.load(ordering: .relaxed) >> Self.chunkBits) + 1
                state.store(generation << Self.chunkBits, ordering: .releasing)
                for helper in helpers where helper.sleeping.exchange(false, ordering: .acquiringAndReleasing) {
                    helper.wakeUp.signal()
                }
                runChunks(of: generation)
                // A helper holding a chunk may have lost its core to another process: yield
                // now and then rather than spin through the scheduler's whole time slice.
                var polls = 0
                while finished.load(ordering: .acquiring) < count {
                    polls += 1
                    if polls & 1023 == 0 { sched_yield() }  // not a sleep: gives the core to a preempted helper finishing its chunk
                }
            }
        }
        return true
    }

    /// Claims and runs chunks of `generation` until none is left or a newer call started.
    private func runChunks(of generation: Int) {
        while true {
            let current = state.load(ordering: .acquiring)
            let chunk = current & Self.chunkMask
            guard current >> Self.chunkBits == generation, chunk < chunkCount.load(ordering: .relaxed) else { return }
            guard state.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing).exchanged
            else { continue }
            // Claimed: the caller waits for this chunk, so its body is alive until `finished` moves.
            let call = UnsafePointer<(Int) -> Void>(bitPattern: body.load(ordering: .relaxed))!
            call.pointee(chunk)
            finished.add(1, ordering: .releasing)
        }
    }

    /// A helper's life: wait for a generation it has not seen, run its chunks, repeat.
    private func helperLoop(_ helper: Helper) -> Never {
        var seen = 0
        while true {
            var generation = state.load(ordering: .acquiring) >> Self.chunkBits
            var idleSince = DispatchTime.now().uptimeNanoseconds
            var polls = 0
            while generation == seen {
                polls += 1
                if polls & 255 == 0, resting.load(ordering: .relaxed)
                    || DispatchTime.now().uptimeNanoseconds - idleSince > Self.spinNanoseconds {
                    helper.sleeping.store(true, ordering: .sequentiallyConsistent)
                    if state.load(ordering: .sequentiallyConsistent) >> Self.chunkBits == seen {
                        helper.wakeUp.wait()  // a real wake-up: sleeps until a caller publishes a call or wakes the pool
                    } else if !helper.sleeping.exchange(false, ordering: .acquiringAndReleasing) {
                        helper.wakeUp.wait()  // a caller cleared the flag: consume its signal
                    }
                    idleSince = DispatchTime.now().uptimeNanoseconds
                    polls = 0
                }
                generation = state.load(ordering: .acquiring) >> Self.chunkBits
            }
            seen = generation
            runChunks(of: generation)
        }
    }

    private func startThread(_ helper: Helper) {
        let context = Unmanaged.passRetained(HelperStart(pool: self, helper: helper)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { raw in
            let start = Unmanaged<HelperStart>.fromOpaque(raw!).takeRetainedValue()
            start.pool.helperLoop(start.helper)
        }, context)
        precondition(status == 0, "cannot start a kernel helper thread (error \(status))")
        pthread_detach(thread)
    }

    /// What a new helper thread needs.
    private final class HelperStart: Sendable {
        let pool: KernelWorkerPool
        let helper: Helper
        init(pool: KernelWorkerPool, helper: Helper) {
            self.pool = pool
            self.helper = helper
        }
    }
}
