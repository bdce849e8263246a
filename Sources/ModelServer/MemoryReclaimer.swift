import CLinux
import Dispatch
import ModelLoading
import Synchronization

/// Gives the memory of models that stopped being served back to the system.
///
/// glibc's allocator keeps freed memory for reuse, and by default it raises its mmap
/// threshold each time a large mmapped block is freed, so later model-sized buffers land in
/// the heap and stay in the process after `free`: three load → unload cycles grew RSS from
/// 170 to 311 MB with nothing leaked. So at start-up the threshold is pinned to 1 MiB (every
/// weight matrix is then its own mapping, unmapped on free), and after a model is
/// unloaded, or a load failed or was cancelled, `malloc_trim(0)` runs off the loop to hand
/// back the free pages of the heaps (the embeddings service drops the model's batcher on the
/// same event, synchronously, so the trim comes after it).
final class MemoryReclaimer: Sendable {
    private let subscription = Mutex<LoadSubscription?>(nil)
    private let queue = DispatchQueue(label: "modeld.memory-reclaim", qos: .utility)

    /// Pins the allocator's mmap threshold (once per process, before models are loaded).
    static func tuneAllocator() {
        _ = clinux_pin_mmap_threshold(1 << 20)
    }

    /// Trims the heaps after every event that ends a model's hold on memory.
    func start(loader: ModelLoader) {
        let queue = queue
        let token = loader.subscribe { event in
            guard event.kind == .unloaded || event.kind == .failed || event.kind == .cancelled else { return }
            // After a short delay: a request that was running keeps its own reference to the
            // model until it finishes; the failed or cancelled job releases on its thread.
            queue.asyncAfter(deadline: .now() + .milliseconds(200)) { Self.trim() }
        }
        subscription.withLock { $0 = token }
    }

    func stop() {
        subscription.withLock { $0 }?.cancel()
    }

    static func trim() {
        _ = clinux_malloc_trim()
    }
}
