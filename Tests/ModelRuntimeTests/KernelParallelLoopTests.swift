#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import Testing
@testable import ModelRuntime

/// `ParallelLoop.run` on the kernel worker pool: every chunk exactly once per call, from one
/// caller or several at once, and after the helpers went to sleep.
struct KernelParallelLoopTests {
    /// Runs `calls` calls of 1…9 chunks, each chunk adding one to its slot; returns whether
    /// every slot of every call ended at exactly 1.
    static func everyChunkOnce(calls: Int) -> Bool {
        var allOnce = true
        for call in 0..<calls {
            let count = 1 + call % 9
            let slots = UnsafeMutablePointer<Int>.allocate(capacity: count)
            slots.initialize(repeating: 0, count: count)
            ParallelLoop.run(chunkCount: count) { chunk in slots[chunk] += 1 }
            for chunk in 0..<count where slots[chunk] != 1 { allOnce = false }
            slots.deallocate()
        }
        return allOnce
    }

    @Test("20,000 calls of 1 to 9 chunks run every chunk exactly once")
    func everyChunkExactlyOnce() {
        #expect(KernelWorkerPool.shared != nil || ParallelLoop.coreCount == 1)
        #expect(Self.everyChunkOnce(calls: 20_000))
    }

    @Test("three threads calling at once (the pool serves one, Dispatch the others) all get every chunk once")
    func concurrentCallers() {
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            if !Self.everyChunkOnce(calls: 3_000) { failures.add(1, ordering: .relaxed) }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
    }

    @Test("passes bracketed by beginPass and endPass, with many chunks per call, run every chunk once")
    func passesWithManyChunks() {
        for pass in 0..<200 {
            ParallelLoop.beginPass()
            let count = 1 + (pass * 37) % 600
            let slots = UnsafeMutablePointer<Int>.allocate(capacity: count)
            slots.initialize(repeating: 0, count: count)
            ParallelLoop.run(chunkCount: count) { chunk in slots[chunk] += 1 }
            #expect((0..<count).allSatisfy { slots[$0] == 1 })
            slots.deallocate()
            ParallelLoop.endPass()
            if pass % 50 == 0 { usleep(200) }  // helpers asleep after endPass: the next call wakes them
        }
    }

    @Test("calls after the helpers went to sleep still complete, with every chunk once")
    func afterSleeping() {
        for _ in 0..<20 {
            usleep(UInt32(KernelWorkerPool.spinNanoseconds / 1000) * 3)
            #expect(Self.everyChunkOnce(calls: 3))
        }
    }
}
