import Glibc

/// What identifies one version of a file without reading it: size, modification time and
/// inode, as `stat(2)` reports them. If all three are unchanged the bytes are taken to be
/// unchanged (the same trust `make` and `rsync` place in them), which is what lets the digest
/// cache skip re-hashing.
public struct FileIdentity: Sendable, Equatable, Codable {
    /// File size in bytes.
    public var size: Int64
    /// Last modification time, in nanoseconds since the Unix epoch.
    public var mtimeNanoseconds: Int64
    /// Inode number (a replaced file gets a new one even with the same size and mtime).
    public var inode: UInt64

    public init(size: Int64, mtimeNanoseconds: Int64, inode: UInt64) {
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
        self.inode = inode
    }

    /// The identity in a `stat` result.
    init(_ status: stat) {
        size = Int64(status.st_size)
        mtimeNanoseconds = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        inode = UInt64(status.st_ino)
    }

    /// The identity of the file at `path` now, or `nil` when it cannot be stat'ed.
    public static func of(path: String) -> FileIdentity? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return FileIdentity(status)
    }
}
