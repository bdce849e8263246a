import Foundation
import Glibc
import ModelFormats
import ModelLoading
import Synchronization
import Testing

struct WeightReaderTests {
    /// `count` bytes from a seeded generator, so every run reads the same file.
    private func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    private func error(_ body: () throws(ModelLoadError) -> Void) -> ModelLoadError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test("the buffer holds the file's exact bytes, 64-byte aligned, and the overlapped digest equals a one-shot SHA-256",
          arguments: [1, 100, 4_096, WeightReader.defaultChunkBytes])
    func exactBytesAndDigest(chunkBytes: Int) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // Many chunk boundaries, so hashing overlaps reading across them.
        let content = pseudoRandomBytes(3 * 4_096 + 123, seed: 7)
        let path = try folder.write("w.bin", content)
        let reader = WeightReader(path: path, chunkBytes: chunkBytes)
        let result = try reader.read(computeDigest: true, progress: { _, _ in }, isCancelled: { false })
        #expect(Array(reader.bytes) == content)
        #expect(Int(bitPattern: reader.bytes.baseAddress) % WeightReader.bufferAlignment == 0)
        #expect(result.sha256 == SHA256Digest.hex(SHA256Digest.hash(content)))
        #expect(result.identity == FileIdentity.of(path: path))
    }

    @Test("without a digest request no digest is computed, and an empty file reads as zero bytes")
    func noDigestAndEmptyFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("empty.bin", [UInt8]())
        let reader = WeightReader(path: path)
        #expect(try reader.read(computeDigest: false, progress: { _, _ in }, isCancelled: { false }).sha256 == nil)
        #expect(reader.bytes.isEmpty)
        let hashed = try reader.read(computeDigest: true, progress: { _, _ in }, isCancelled: { false })
        #expect(hashed.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("progress is reported per chunk, never goes backwards and ends at the file size")
    func progressMonotonicToTotal() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let size = 2 * 1_000 + 1
        let path = try folder.write("w.bin", pseudoRandomBytes(size, seed: 1))
        var reports: [(Int64, Int64)] = []
        _ = try WeightReader(path: path, chunkBytes: 1_000).read(computeDigest: true, progress: { reports.append(($0, $1)) }, isCancelled: { false })
        #expect(reports.count == 3)
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.0 < $1.0 })
        #expect(reports.allSatisfy { $0.1 == Int64(size) })
        #expect(reports.last?.0 == Int64(size))
    }

    @Test("a cancel at a low rate cap is noticed within 100 ms and the buffer is freed")
    func cancelPromptUnderRateCap() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("w.bin", pseudoRandomBytes(64 << 10, seed: 2))
        // 1 KB/s: the first 1 KiB chunk alone waits about a second for its tokens.
        let reader = WeightReader(path: path, maxBytesPerSecond: 1_000)
        let clock = ContinuousClock()
        let cancelAt = clock.now.advanced(by: .milliseconds(150))
        let failure = error { () throws(ModelLoadError) in
            _ = try reader.read(computeDigest: true, progress: { _, _ in }, isCancelled: { clock.now >= cancelAt })
        }
        let lateness = cancelAt.duration(to: clock.now)
        #expect(failure == .cancelled)
        #expect(lateness < .milliseconds(100), "cancel took \(lateness)")
        #expect(!reader.holdsBuffer)
    }

    @Test("a rate cap holds the read to roughly the cap (within 30 %)")
    func rateCapRespected() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let size = 60_000
        let path = try folder.write("w.bin", pseudoRandomBytes(size, seed: 3))
        let clock = ContinuousClock()
        let start = clock.now
        _ = try WeightReader(path: path, maxBytesPerSecond: 200_000).read(computeDigest: true, progress: { _, _ in }, isCancelled: { false })
        let elapsed = start.duration(to: clock.now)
        // 60,000 bytes at 200,000 B/s: 300 ms.
        #expect(elapsed > .milliseconds(210) && elapsed < .milliseconds(390), "took \(elapsed)")
    }

    @Test("a file shorter than the size its header gave is file_truncated and holds no buffer")
    func shorterFileTruncated() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("w.bin", pseudoRandomBytes(1_000, seed: 4))
        let reader = WeightReader(path: path)
        let failure = error { () throws(ModelLoadError) in
            _ = try reader.read(expectedBytes: 2_000, computeDigest: true, progress: { _, _ in }, isCancelled: { false })
        }
        #expect(failure?.code == "file_truncated")
        #expect(failure?.message.contains("2000") == true)
        #expect(!reader.holdsBuffer)
    }

    @Test("a missing file is file_not_found")
    func missingFileNotFound() throws {
        let failure = error { () throws(ModelLoadError) in
            _ = try WeightReader(path: "/nonexistent/modeld/w.bin").read(computeDigest: false, progress: { _, _ in }, isCancelled: { false })
        }
        #expect(failure?.code == "file_not_found")
    }

    @Test("an unreadable file is permission_denied", .enabled(if: geteuid() != 0, "root reads a mode-000 file anyway"))
    func unreadableFilePermissionDenied() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("w.bin", [1, 2, 3])
        #expect(chmod(path, 0) == 0)
        let failure = error { () throws(ModelLoadError) in
            _ = try WeightReader(path: path).read(computeDigest: false, progress: { _, _ in }, isCancelled: { false })
        }
        #expect(failure?.code == "permission_denied")
    }

    @Test("release frees the buffer and may be called twice")
    func releaseIdempotent() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("w.bin", [1, 2, 3])
        let reader = WeightReader(path: path)
        _ = try reader.read(computeDigest: false, progress: { _, _ in }, isCancelled: { false })
        #expect(reader.holdsBuffer && reader.bytes.count == 3)
        reader.release()
        reader.release()
        #expect(!reader.holdsBuffer && reader.bytes.isEmpty)
    }

    @Test("the chunk shrinks under a rate cap so one chunk's tokens arrive within 50 ms")
    func chunkSizeFollowsCap() {
        #expect(WeightReader.chunkBytes(maxBytesPerSecond: 0) == 4 << 20)
        #expect(WeightReader.chunkBytes(maxBytesPerSecond: 1 << 30) == 4 << 20)
        #expect(WeightReader.chunkBytes(maxBytesPerSecond: 2_000_000) == 100_000)
        #expect(WeightReader.chunkBytes(maxBytesPerSecond: 10) == 1 << 10)
    }
}
