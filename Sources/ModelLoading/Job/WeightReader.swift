import Glibc

/// Reads a weights file into one 64-byte-aligned buffer it owns: step 5's streamed reads.
///
/// Policy:
/// - The file is read front to back with `pread` in chunks (`defaultChunkBytes`, 4 MiB;
///   smaller under a rate cap so one chunk's tokens arrive within 50 ms), after
///   `posix_fadvise(SEQUENTIAL)` so the kernel reads ahead aggressively.
/// - Per chunk: `isCancelled` is checked (a cancel lands within one chunk, or within 50 ms
///   while waiting under a rate cap) and `progress(bytesRead, total)` is called.
/// - When asked for a digest, SHA-256 runs on a second thread over the chunks already read
///   (`HashPipeline`), overlapped with reading the next ones.
/// - Owned buffer and `pread`, never `mmap`: a file truncated under a mapping would raise
///   SIGBUS and kill the server; a short `pread` is a `file_truncated` error instead.
/// - After the last chunk the path is `stat`ed again: if it is gone, names another inode
///   (replaced by rename) or its size or mtime moved (written in place), the read is
///   `file_changed`. Otherwise a cached digest (step 3) could vouch for bytes it never saw.
/// - The buffer lives until `release()` or deinit; on any error or cancel it is freed
///   before the error is thrown, so a failed read holds nothing.
///
/// Not thread-safe: one load thread uses it.
public final class WeightReader {
    /// Chunk size without a rate cap, in bytes: 4 MiB.
    public static let defaultChunkBytes = 4 << 20
    /// Smallest chunk under a very low rate cap, in bytes: 1 KiB.
    public static let minChunkBytes = 1 << 10
    /// Alignment of the buffer's start, in bytes: 64 (a cache line, and AVX-512's width).
    public static let bufferAlignment = 64

    /// The file being read.
    public let path: String
    /// Read-rate cap in bytes per second; 0 means none.
    public let maxBytesPerSecond: Int
    /// Bytes per `pread`.
    public let chunkBytes: Int

    private var storage: UnsafeMutableRawPointer?
    private var storedBytes = 0

    /// A reader for `path`, capped at `maxBytesPerSecond` (0 = no cap).
    ///
    /// - Parameter chunkBytes: overrides the chunk size `chunkBytes(maxBytesPerSecond:)`
    ///   picks (tests use small chunks to cover many chunk boundaries in a small file).
    public init(path: String, maxBytesPerSecond: Int = 0, chunkBytes: Int? = nil) {
        self.path = path
        self.maxBytesPerSecond = max(0, maxBytesPerSecond)
        self.chunkBytes = max(1, chunkBytes ?? Self.chunkBytes(maxBytesPerSecond: self.maxBytesPerSecond))
    }

    deinit {
        storage?.deallocate()
    }

    /// The chunk size for a rate cap: 4 MiB, or what the cap allows in 50 ms (at least 1 KiB).
    public static func chunkBytes(maxBytesPerSecond: Int) -> Int {
        guard maxBytesPerSecond > 0 else { return defaultChunkBytes }
        return min(defaultChunkBytes, max(minChunkBytes, maxBytesPerSecond / 20))
    }

    /// The bytes read so far (the whole file after `read` returned); empty after `release()`.
    /// Valid until `release()` or deinit.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage, count: storedBytes)
    }

    /// Whether the reader holds a buffer.
    public var holdsBuffer: Bool { storage != nil }

    /// Frees the buffer. Safe to call more than once.
    public func release() {
        storage?.deallocate()
        storage = nil
        storedBytes = 0
    }

    /// Reads the whole file into the buffer.
    ///
    /// - Parameters:
    ///   - expectedBytes: the size the caller saw earlier (the header's file size); a file
    ///     now shorter is `file_truncated`, a longer one `file_changed`. `nil` accepts any.
    ///   - computeDigest: whether to compute the SHA-256 while reading.
    ///   - progress: called after each chunk with bytes read so far and the file size.
    ///   - isCancelled: checked before each chunk and while waiting for the rate cap.
    /// - Returns: the file's identity when opened and, if asked, its SHA-256 in hex.
    public func read(
        expectedBytes: Int? = nil, computeDigest: Bool,
        progress: (_ loaded: Int64, _ total: Int64) -> Void, isCancelled: () -> Bool
    ) throws(ModelLoadError) -> WeightReadResult {
        release()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw openError(errno) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .ioError(path, operation: "fstat", errno: errno) }
        let identity = FileIdentity(status)
        let total = Int(status.st_size)
        if let expectedBytes, total < expectedBytes {
            throw .fileTruncated(path, expectedBytes: expectedBytes, actualBytes: total)
        }
        if let expectedBytes, total > expectedBytes { throw .fileChanged(path, expectedBytes: expectedBytes, actualBytes: total) }
        // Advice only: a kernel that ignores it still reads correctly.
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)

        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(total, 1), alignment: Self.bufferAlignment)
        storage = buffer
        let hasher = computeDigest ? HashPipeline(base: UnsafeRawPointer(buffer), maxLagBytes: 2 * chunkBytes) : nil
        do throws(ModelLoadError) {
            try readChunks(fd, into: buffer, total: total, hasher: hasher, progress: progress, isCancelled: isCancelled)
            try checkUnchanged(since: identity)
        } catch {
            hasher?.abandon()
            release()
            throw error
        }
        storedBytes = total
        return WeightReadResult(identity: identity, sha256: hasher?.finish())
    }

    /// The read loop: rate wait, cancel check, `pread` until the chunk is full, publish.
    private func readChunks(
        _ fd: Int32, into buffer: UnsafeMutableRawPointer, total: Int, hasher: HashPipeline?,
        progress: (Int64, Int64) -> Void, isCancelled: () -> Bool
    ) throws(ModelLoadError) {
        var limiter = maxBytesPerSecond > 0 ? ReadRateLimiter(bytesPerSecond: maxBytesPerSecond, capacityBytes: chunkBytes) : nil
        var offset = 0
        while offset < total {
            if isCancelled() { throw .cancelled }
            let chunkEnd = min(total, offset + chunkBytes)
            try limiter?.waitForTokens(chunkEnd - offset, isCancelled: isCancelled)
            while offset < chunkEnd {
                let count = pread(fd, buffer + offset, chunkEnd - offset, off_t(offset))
                if count > 0 {
                    offset += count
                } else if count == 0 {
                    throw .fileTruncated(path, expectedBytes: total, actualBytes: offset)
                } else if errno != EINTR {
                    throw .ioError(path, operation: "pread", errno: errno)
                }
            }
            hasher?.publish(upTo: offset)
            progress(Int64(offset), Int64(total))
        }
    }

    /// Throws `file_changed` unless the path still names the file opened, unmodified.
    private func checkUnchanged(since opened: FileIdentity) throws(ModelLoadError) {
        guard let now = FileIdentity.of(path: path) else { throw .fileChangedWhileReading(path, now: "removed") }
        if now.inode != opened.inode { throw .fileChangedWhileReading(path, now: "replaced") }
        if now != opened { throw .fileChangedWhileReading(path, now: "modified") }
    }

    /// Maps `open`'s errno to DESIGN §1.8's specific codes.
    private func openError(_ code: Int32) -> ModelLoadError {
        switch code {
        case ENOENT, ENOTDIR: .fileNotFound(path)
        case EACCES, EPERM: .permissionDenied(path)
        default: .ioError(path, operation: "open", errno: code)
        }
    }
}

@available(*, unavailable)
extension WeightReader: Sendable {}

/// What a completed read found.
public struct WeightReadResult: Sendable, Equatable {
    /// The file's size, mtime and inode when it was opened (what the digest cache records).
    public var identity: FileIdentity
    /// The SHA-256 of the bytes read, lower-case hex; `nil` when not asked for.
    public var sha256: String?
}
