import Foundation
import ModelFormats

/// Downloads one file into its `.incomplete` blob: resumes with `Range` from the bytes
/// already there, follows the redirect of large files, hashes while streaming (SHA-256 for
/// LFS files, checked against `lfs.oid`), and retries transient failures with backoff. A
/// retry after an attempt that moved bytes starts a fresh count, so a flaky hub that keeps
/// cutting connections still finishes.
struct HubBlobDownload {
    let client: HubClient
    let url: String
    let file: HubFile
    let incompletePath: String
    let cancellation: HubCancellation

    /// Runs until the `.incomplete` blob holds the whole, verified file; returns its SHA-256
    /// (lower-case hex) when one was checked.
    func run(tracker: inout HubProgressTracker) throws(HubError) -> String? {
        tracker.begin(file)
        var attempt = 0
        while true {
            let outcome = try attemptOnce(tracker: &tracker)
            switch outcome {
            case .complete(let digest):
                return digest
            case .retry(let failure, let movedBytes):
                if movedBytes { attempt = 0 }
                try client.retryOrThrow(failure, attempt: &attempt, cancellation: cancellation)
            }
        }
    }

    private enum Outcome {
        case complete(String?)
        case retry(HubError, movedBytes: Bool)
    }

    /// One GET from the current end of the partial blob.
    private func attemptOnce(tracker: inout HubProgressTracker) throws(HubError) -> Outcome {
        var offset = HubPull.fileSize(incompletePath) ?? 0
        if offset > file.size {
            tracker.restarted(discarding: offset)
            offset = 0
        }
        let descriptor = open(incompletePath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cacheError("cannot open \(incompletePath): errno \(errno)") }
        defer { close(descriptor) }
        guard ftruncate(descriptor, off_t(offset)) == 0, lseek(descriptor, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw .cacheError("cannot position \(incompletePath): errno \(errno)")
        }
        var digest = file.sha256 == nil ? nil : try hashPrefix(length: offset)
        if offset == file.size {
            return try .complete(verify(&digest))
        }
        var headers = client.authorizationHeaders
        if offset > 0 { headers.append("Range: bytes=\(offset)-") }
        let request = HubRequest(url: url, headers: headers, stallSeconds: client.stallSeconds, caFile: client.settings.caFile)
        var written = offset
        var moved = false
        var writeError: HubError?
        let response: HubResponse
        do throws(HubTransferFailure) {
            response = try HubTransfer.perform(request, cancellation: cancellation) { status, bytes in
                if status == 200, written > 0, !moved {
                    // The hub ignored Range: start the file over.
                    tracker.restarted(discarding: written)
                    guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else { return false }
                    written = 0
                    if digest != nil { digest = SHA256Digest() }
                }
                guard written + Int64(bytes.count) <= file.size else {
                    writeError = .downloadFailed("GET \(url): more bytes than the \(file.size) the hub listed")
                    return false
                }
                guard Self.writeAll(descriptor, bytes) else {
                    writeError = .cacheError("cannot write \(incompletePath): errno \(errno)")
                    return false
                }
                digest?.update(bytes)
                written += Int64(bytes.count)
                moved = true
                tracker.received(bytes.count)
                return !cancellation.isCancelled
            }
        } catch {
            switch error {
            case .cancelled:
                throw .cancelled
            case .untrusted(let message):
                throw .downloadFailed("GET \(url): \(message)")
            case .sinkFailed:
                if cancellation.isCancelled { throw .cancelled }
                throw writeError ?? .downloadFailed("GET \(url): the download was aborted")
            case .transport(let message):
                return .retry(.downloadFailed("GET \(url): \(message) after \(written) of \(file.size) bytes"), movedBytes: moved)
            }
        }
        if response.status == 416, written == file.size {
            return try .complete(verify(&digest))
        }
        if let failure = HubClient.classify(status: response.status, url: url) {
            if HubClient.isTransient(status: response.status) { return .retry(failure, movedBytes: moved) }
            throw failure
        }
        guard written == file.size else {
            return .retry(.downloadFailed("GET \(url): the answer ended after \(written) of \(file.size) bytes"), movedBytes: moved)
        }
        return try .complete(verify(&digest))
    }

    /// Finishes the digest and compares it with `lfs.oid`; a mismatch deletes the blob.
    private func verify(_ digest: inout SHA256Digest?) throws(HubError) -> String? {
        guard let expected = file.sha256, let running = digest.take() else { return nil }
        let actual = running.finalizeHex()
        guard actual == expected else {
            unlink(incompletePath)
            throw .digestMismatch(file: file.path, expected: expected, actual: actual)
        }
        return actual
    }

    /// Hashes the first `length` bytes already in the partial blob (a resumed download).
    private func hashPrefix(length: Int64) throws(HubError) -> SHA256Digest {
        var digest = SHA256Digest()
        guard length > 0 else { return digest }
        let descriptor = open(incompletePath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cacheError("cannot read \(incompletePath): errno \(errno)") }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var left = length
        while left > 0 {
            if cancellation.isCancelled { throw .cancelled }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, Int(min(Int64($0.count), left))) }
            guard count > 0 else { throw .cacheError("cannot read \(incompletePath): errno \(errno)") }
            buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            left -= Int64(count)
        }
        return digest
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let count = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            done += count
        }
        return true
    }
}
