#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Runs independent chunks of kernel work on every core, on Dispatch's worker threads or, for
/// small calls, the `KernelWorkerPool` (dedicated threads either way, never the Swift
/// cooperative pool nor an event loop).
enum ParallelLoop {
    /// Cores this process may use, read once: the online processor count, at least 1.
    static let coreCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Rows (tokens) of a pass up to which its kernel calls count as `small`.
    static let smallRowCount = 32

    /// Calls `body(chunk)` for every chunk in `0..<chunkCount`, in parallel when there is more
    /// than one, and returns when all have finished.
    ///
    /// `body` must only touch memory no other chunk touches, or memory nobody writes.
    /// `small` calls (a few rows: a short sentence's pass) run on the `KernelWorkerPool`,
    /// whose helper is usually still polling from the previous call, instead of waking a
    /// Dispatch worker; large calls, where that wake-up is noise and a helper spinning while
    /// another process holds the core would cost CPU, stay on Dispatch.
    static func run(chunkCount: Int, small: Bool = false, _ body: (Int) -> Void) {
        switch chunkCount {
        case ..<1:
            return
        case 1:
            body(0)
        default:
            if small, let pool = KernelWorkerPool.shared, pool.run(chunkCount: chunkCount, body) { return }
            withoutActuallyEscaping(body) { escapable in
                let shared = SharedChunkBody(call: escapable)
                DispatchQueue.concurrentPerform(iterations: chunkCount) { shared.call($0) }
            }
        }
    }

    /// Splits `0..<total` into at most `coreCount` contiguous ranges of at least `minimumSize`
    /// items each, and runs `body` on each range in parallel.
    static func forRanges(total: Int, minimumSize: Int = 1, small: Bool = false, _ body: (Range<Int>) -> Void) {
        guard total > 0 else { return }
        let chunkCount = max(1, min(coreCount, total / max(minimumSize, 1)))
        run(chunkCount: chunkCount, small: small) { chunk in
            let start = total * chunk / chunkCount
            let end = total * (chunk + 1) / chunkCount
            if start < end { body(start..<end) }
        }
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
