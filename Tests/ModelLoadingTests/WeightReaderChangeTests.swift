import Foundation
import Glibc
import ModelLoading
import Testing

/// The weights file changing under step 5 (issue 11, fault injection): removed, replaced by
/// rename, written in place or truncated while the reader is between two chunks.
struct WeightReaderChangeTests {
    /// What happens to the file after the first chunk.
    enum Change: String, CaseIterable, CustomTestStringConvertible {
        case removed, replaced, modified, truncated
        var testDescription: String { rawValue }
    }

    private static let size = 8 * 1_024
    private static let chunk = 1_024

    private func apply(_ change: Change, to path: String) {
        switch change {
        case .removed:
            #expect(unlink(path) == 0)
        case .replaced:
            let other = path + ".new"
            #expect(FileManager.default.createFile(atPath: other, contents: Data(repeating: 7, count: Self.size)))
            #expect(rename(other, path) == 0)
        case .modified:
            // Same size, same inode, different bytes ahead of the reader; the mtime moves on.
            var spec = timespec(tv_sec: 0, tv_nsec: 2_000_000)
            nanosleep(&spec, nil)  // a coarse-mtime file system must see a new timestamp
            let fd = open(path, O_WRONLY)
            var byte: UInt8 = 0xFF
            #expect(pwrite(fd, &byte, 1, off_t(Self.size - 1)) == 1)
            close(fd)
        case .truncated:
            #expect(truncate(path, off_t(Self.size / 2)) == 0)
        }
    }

    @Test("a weights file changed between two chunks fails the read with a specific code and frees the buffer",
          arguments: Change.allCases)
    func changedMidRead(change: Change) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("w.bin", [UInt8](repeating: 1, count: Self.size))
        let reader = WeightReader(path: path, chunkBytes: Self.chunk)
        var changed = false
        var thrown: ModelLoadError?
        do {
            _ = try reader.read(expectedBytes: Self.size, computeDigest: false, progress: { loaded, _ in
                if !changed {
                    changed = true
                    apply(change, to: path)
                }
            }, isCancelled: { false })
        } catch {
            thrown = error
        }
        #expect(changed)
        #expect(thrown?.code == (change == .truncated ? "file_truncated" : "file_changed"))
        if change != .truncated { #expect(thrown?.message.contains(change.rawValue) == true) }
        #expect(!reader.holdsBuffer)
    }

    @Test("an unchanged file still reads whole")
    func unchangedReads() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("w.bin", [UInt8](repeating: 3, count: Self.size))
        let reader = WeightReader(path: path, chunkBytes: Self.chunk)
        _ = try reader.read(expectedBytes: Self.size, computeDigest: false, progress: { _, _ in }, isCancelled: { false })
        #expect(reader.bytes.count == Self.size)
    }
}
