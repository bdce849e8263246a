import Foundation
import Glibc
import ModelLoading
import Testing

struct DigestCacheTests {
    private let digest = String(repeating: "ab", count: 32)

    /// Sets the file's atime and mtime to `nanoseconds` since the epoch, keeping size and inode.
    private func setMTime(_ path: String, nanoseconds: Int64) {
        let time = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var times = [time, time]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
    }

    @Test("a recorded digest is found while the file is unchanged, also after reopening the cache")
    func hitWhileUnchanged() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("w.bin", [1, 2, 3])
        let cache = DigestCache(directory: folder.path)
        #expect(cache.lookup(path: file) == nil)
        #expect(cache.record(path: file, identity: try #require(FileIdentity.of(path: file)), sha256: digest))
        #expect(cache.lookup(path: file) == digest)
        #expect(DigestCache(directory: folder.path).lookup(path: folder.path + "/./w.bin") == digest)
    }

    @Test("a changed size is a miss even with the same mtime and inode")
    func sizeChangeMisses() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("w.bin", [1, 2, 3])
        let identity = try #require(FileIdentity.of(path: file))
        let cache = DigestCache(directory: nil)
        cache.record(path: file, identity: identity, sha256: digest)
        #expect(truncate(file, 2) == 0)
        setMTime(file, nanoseconds: identity.mtimeNanoseconds)
        let now = try #require(FileIdentity.of(path: file))
        #expect(now.inode == identity.inode && now.mtimeNanoseconds == identity.mtimeNanoseconds)
        #expect(cache.lookup(path: file) == nil)
    }

    @Test("a changed mtime is a miss even with the same size and inode")
    func mtimeChangeMisses() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("w.bin", [1, 2, 3])
        let identity = try #require(FileIdentity.of(path: file))
        let cache = DigestCache(directory: nil)
        cache.record(path: file, identity: identity, sha256: digest)
        setMTime(file, nanoseconds: identity.mtimeNanoseconds + 1)
        #expect(cache.lookup(path: file) == nil)
    }

    @Test("a replaced file (new inode, same size and mtime) is a miss")
    func inodeChangeMisses() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("w.bin", [1, 2, 3])
        let identity = try #require(FileIdentity.of(path: file))
        let cache = DigestCache(directory: nil)
        cache.record(path: file, identity: identity, sha256: digest)
        let replacement = try folder.write("other.bin", [9, 9, 9])
        setMTime(replacement, nanoseconds: identity.mtimeNanoseconds)
        #expect(rename(replacement, file) == 0)
        let now = try #require(FileIdentity.of(path: file))
        #expect(now.size == identity.size && now.mtimeNanoseconds == identity.mtimeNanoseconds && now.inode != identity.inode)
        #expect(cache.lookup(path: file) == nil)
    }

    @Test("a corrupt cache file is ignored, then replaced by a valid one on the next record")
    func corruptFileReplaced() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let cachePath = try folder.write(DigestCache.fileName, "{\"version\":1,\"entries\":{\"/x\":{\"trunc")
        let file = try folder.write("w.bin", [1])
        let cache = DigestCache(directory: folder.path)
        #expect(cache.lookup(path: file) == nil)
        #expect(cache.record(path: file, identity: try #require(FileIdentity.of(path: file)), sha256: digest))
        let text = try String(contentsOfFile: cachePath, encoding: .utf8)
        #expect(text.contains(digest))
        #expect(DigestCache(directory: folder.path).lookup(path: file) == digest)
    }

    @Test("writes go through a temporary file renamed over the cache, leaving no temporary behind")
    func writeIsAtomicRename() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let first = try folder.write("a.bin", [1])
        let second = try folder.write("b.bin", [2])
        let cache = DigestCache(directory: folder.path)
        cache.record(path: first, identity: try #require(FileIdentity.of(path: first)), sha256: digest)
        let cachePath = folder.path + "/" + DigestCache.fileName
        let before = try #require(FileIdentity.of(path: cachePath))
        cache.record(path: second, identity: try #require(FileIdentity.of(path: second)), sha256: digest)
        let after = try #require(FileIdentity.of(path: cachePath))
        // A new inode proves the file was replaced whole rather than rewritten in place.
        #expect(after.inode != before.inode)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(names.filter { $0.contains(".tmp-") }.isEmpty)
    }

    @Test("a cache whose directory cannot be written still answers from memory and says the write failed")
    func unwritableDirectoryStillWorksInMemory() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("w.bin", [1])
        let cache = DigestCache(directory: folder.path + "/missing")
        #expect(!cache.record(path: file, identity: try #require(FileIdentity.of(path: file)), sha256: digest))
        #expect(cache.lookup(path: file) == digest)
    }
}
