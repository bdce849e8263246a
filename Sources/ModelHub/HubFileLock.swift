import Foundation

/// An exclusive `flock` on a cache lock file (`.locks/models--ORG--NAME/<etag>.lock`), the
/// same lock `huggingface_hub`'s `filelock` takes, so two pulls (of modeld or of both tools)
/// fetch each blob once. Released by `unlock()` or when the process dies.
final class HubFileLock {
    private let descriptor: Int32

    /// Takes the lock at `path`, creating the file; waits for another holder, checking
    /// `cancellation` and calling `whileWaiting` every 50 ms.
    init(path: String, cancellation: HubCancellation, whileWaiting: () -> Void = {}) throws(HubError) {
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw .cacheError("cannot create the lock folder of \(path): \(error.localizedDescription)")
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cacheError("cannot open lock \(path): errno \(errno)") }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                close(descriptor)
                throw .cacheError("cannot lock \(path): errno \(errno)")
            }
            // Another process (a second pull, huggingface_hub's filelock) holds the blob.
            // flock(2) has no timeout and a blocking one cannot be cancelled, so the lock is
            // tried again every 50 ms, as filelock itself polls; a cancel ends the wait.
            whileWaiting()
            do throws(HubError) {
                try cancellation.sleep(.milliseconds(50))  // a real wait: the lock holder is another process
            } catch {
                close(descriptor)
                throw error
            }
        }
        self.descriptor = descriptor
    }

    /// Releases the lock.
    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
