#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Runs independent chunks of kernel work on every core: on the `KernelWorkerPool`'s helper
/// threads, which claim chunks one at a time together with the caller (so a helper that
/// starts late, or a chunk that runs long, shifts work to the other thread instead of leaving
/// it idle), or on Dispatch's worker threads when the pool is busy with another caller
/// (dedicated threads either way, never the Swift cooperative pool nor an event loop).
enum ParallelLoop {
    /// Cores this process may use, read once: the online processor count, at least 1.
    static let coreCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Calls `body(chunk)` for every chunk in `0..<chunkCount`, in parallel when there is more
    /// than one, and returns when all have finished.
    ///
    /// `body` must only touch memory no other chunk touches, or memory nobody writes. Chunks
    /// are claimed in index order, one at a time, so many small chunks balance the cores
    /// better than one per core: a batch-32 pass of all-MiniLM-L6-v2 spent 2.7-4.5 ms of its
    /// 35-38 ms in its kernel calls beyond their halves' mean with one half per core on
    /// Dispatch (a worker's wake-up, then waiting for the later half), and its caller waits
    /// 0.25 ms in all for the last chunks with chunks claimed on the pool.
    static func run(chunkCount: Int, _ body: (Int) -> Void) {
        switch chunkCount {
        case ..<1:
            return
        case 1:
            body(0)
        default:
            if let pool = KernelWorkerPool.shared, pool.run(chunkCount: chunkCount, body) { return }
            withoutActuallyEscaping(body) { escapable in
                let shared = SharedChunkBody(call: escapable)
                DispatchQueue.concurrentPerform(iterations: chunkCount) { shared.call($0) }
            }
        }
    }

    /// Splits `0..<total` into at most `coreCount` contiguous ranges of at least `minimumSize`
    /// items each, and runs `body` on each range in parallel.
    static func forRanges(total: Int, minimumSize: Int = 1, _ body: (Range<Int>) -> Void) {
        guard total > 0 else { return }
        let chunkCount = max(1, min(coreCount, total / max(minimumSize, 1)))
        run(chunkCount: chunkCount) { chunk in
            let start = total * chunk / chunkCount
            let end = total * (chunk + 1) / chunkCount
            if start < end { body(start..<end) }
        }
    }
}

extension ParallelLoop {
    /// Tells the pool a forward pass is about to start: sleeping helpers are woken now, so
    /// their wake-up overlaps the caller's first steps instead of delaying its first call.
    static func beginPass() {
        KernelWorkerPool.shared?.wake()
    }

    /// Tells the pool the pass ended: idle helpers sleep at once instead of polling for
    /// `KernelWorkerPool.spinNanoseconds` in case another call comes.
    static func endPass() {
        KernelWorkerPool.shared?.rest()
    }
}

/// A chunk closure handed to Dispatch's worker threads.
private struct SharedChunkBody: @unchecked Sendable {  // safe because: see the comment below
    // Safe because: the closure captures raw pointers into buffers owned by
    // the caller of `ParallelLoop.run`. `concurrentPerform` returns only after every
    // iteration has finished, so the closure never outlives those buffers, and the contract
    // of `run` is that chunks write disjoint memory and only read memory nobody writes, so
    // the concurrent calls do not race.
    let call: (Int) -> Void
}
