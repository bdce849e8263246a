import Foundation
import ModelFormats

/// Hashes a buffer on a second thread while the reader is still filling it, so step 5 runs
/// at the speed of the slower of disk and SHA-256 rather than their sum (DESIGN §2.3).
///
/// The hand-off is bounded and copies nothing: the reader fills the buffer front to back
/// and publishes how far it got; the hasher hashes from where it stopped up to there. The
/// reader waits when it is more than `maxLagBytes` ahead, so hashing never falls far
/// behind and finishes moments after the last read.
///
/// `@unchecked Sendable` is safe because every mutable field is read and written only while
/// `condition` is locked, and the buffer bytes the hasher reads (`0..<readyEnd`) are never
/// written again once published; the lock's release/acquire orders those writes before the
/// hasher's reads. The owner calls `finish()` or `abandon()`, which wait for the thread to
/// exit, before the buffer can be freed.
final class HashPipeline: @unchecked Sendable {  // safe because: see the type comment above
    /// The buffer's base address; see the type's comment for why sharing it is safe.
    private let base: UnsafeRawPointer?
    private let maxLagBytes: Int
    private let condition = NSCondition()
    private var readyEnd = 0
    private var hashedEnd = 0
    private var isClosed = false
    private var isAbandoned = false
    private var hasExited = false
    private var digestHex: String?

    /// Starts the hashing thread over `base`, whose bytes the caller will publish in order.
    init(base: UnsafeRawPointer?, maxLagBytes: Int) {
        self.base = base
        self.maxLagBytes = maxLagBytes
        let thread = Thread { [self] in run() }
        thread.name = "modeld-sha256"
        thread.start()
    }

    /// Bytes `0..<end` are in the buffer and final. Blocks while the hasher lags by more
    /// than `maxLagBytes`; hashing always advances, so the wait is a few milliseconds.
    func publish(upTo end: Int) {
        condition.lock()
        defer { condition.unlock() }
        readyEnd = end
        condition.broadcast()
        while readyEnd - hashedEnd > maxLagBytes, !hasExited {
            condition.wait()  // a real wake-up: the hasher broadcasts each range it finishes
        }
    }

    /// No more bytes will come: waits for the hasher and returns the lower-case hex digest.
    func finish() -> String {
        condition.lock()
        defer { condition.unlock() }
        isClosed = true
        condition.broadcast()
        while !hasExited { condition.wait() }  // a real wake-up: the hasher broadcasts as it exits
        return digestHex ?? ""
    }

    /// The read failed or was cancelled: stops the hasher and waits until it has exited.
    func abandon() {
        condition.lock()
        defer { condition.unlock() }
        isAbandoned = true
        condition.broadcast()
        while !hasExited { condition.wait() }  // a real wake-up: the hasher broadcasts as it exits
    }

    /// The hashing thread's body.
    private func run() {
        var digest = SHA256Digest()
        while let range = nextRange() {
            if let base, !range.isEmpty {
                digest.update(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
            }
            condition.lock()
            hashedEnd = range.upperBound
            condition.broadcast()
            condition.unlock()
        }
        let hex = isAbandonedNow() ? nil : digest.finalizeHex()
        condition.lock()
        digestHex = hex
        hasExited = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for published bytes not yet hashed; `nil` once closed and caught up, or abandoned.
    private func nextRange() -> Range<Int>? {
        condition.lock()
        defer { condition.unlock() }
        while readyEnd == hashedEnd, !isClosed, !isAbandoned {
            condition.wait()  // a real wake-up: the reader broadcasts each range it publishes, or the end
        }
        if isAbandoned || readyEnd == hashedEnd { return nil }
        return hashedEnd..<readyEnd
    }

    private func isAbandonedNow() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return isAbandoned
    }
}
