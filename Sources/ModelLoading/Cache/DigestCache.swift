import Foundation
import Synchronization

/// The verified-digest cache of step 3 (DESIGN §1.2): which files already had their SHA-256
/// verified, so unchanged weights are not hashed twice.
///
/// Policy:
/// - An entry is keyed by the file's absolute path and holds the `FileIdentity` (size,
///   mtime in ns, inode) the file had when it was hashed, and the digest. `lookup` answers
///   only while the file's identity now is exactly that one; any change is a miss.
/// - Only digests that were computed over the bytes and matched the manifest are recorded.
/// - The cache lives in `<state dir>/digest-cache.json`, rewritten on every `record` through
///   a `StateFileWriter` (temporary file, fsync, `rename(2)`, fsync of the directory), so a
///   crash leaves the old or the new file, never a torn one; temporary files of a process
///   killed mid-write are removed at open. A file that cannot be read as a cache is ignored
///   (`loadIssue` says why, for the log) and replaced on the next write: losing the cache
///   only costs one re-hash. A write that fails is not a load failure for the same reason;
///   `record` returns `false` and the writer reports it (once per streak of failures).
/// - Thread-safe: every access holds one `Mutex`, which also serialises writes of the file.
public final class DigestCache: Sendable {
    /// The cache file's name inside the state directory.
    public static let fileName = "digest-cache.json"

    /// One verified digest.
    struct Entry: Codable, Equatable {
        var identity: FileIdentity
        var sha256: String
    }

    /// What is persisted: a version, so a future format can be told apart, and the entries.
    struct Contents: Codable {
        var version = 1
        var entries: [String: Entry] = [:]
    }

    /// Where the cache is persisted, or `nil` for a cache kept in memory only.
    public let filePath: String?
    /// Why the file found at open was ignored, if it was.
    public let loadIssue: String?
    private let state: Mutex<Contents>
    private let writer: StateFileWriter

    /// Opens the cache in `directory` (the server's state dir); `nil` keeps it in memory.
    /// `writer` writes the file.
    public init(directory: String?, writer: StateFileWriter = StateFileWriter()) {
        let filePath = directory.map { $0 + "/" + Self.fileName }
        self.filePath = filePath
        self.writer = writer
        if let filePath { StateFileWriter.removeLeftovers(of: filePath) }
        let (contents, issue) = filePath.map(Self.readContents) ?? (nil, nil)
        loadIssue = issue
        state = Mutex(contents ?? Contents())
    }

    /// The verified SHA-256 (lower-case hex) of the file at `path`, if one was recorded and
    /// the file's size, mtime and inode are still those it had when it was hashed.
    public func lookup(path: String) -> String? {
        guard let entry = state.withLock({ $0.entries[Self.key(path)] }),
              FileIdentity.of(path: path) == entry.identity else { return nil }
        return entry.sha256
    }

    /// Records that the file at `path`, while it had `identity`, hashed to `sha256`.
    ///
    /// - Returns: whether the cache file was written (always `true` in memory).
    @discardableResult
    public func record(path: String, identity: FileIdentity, sha256: String) -> Bool {
        state.withLock { contents in
            contents.entries[Self.key(path)] = Entry(identity: identity, sha256: sha256)
            return filePath.map { write(contents, to: $0) } ?? true
        }
    }

    /// Forgets the entry for `path`, if any.
    public func remove(path: String) {
        state.withLock { contents in
            guard contents.entries.removeValue(forKey: Self.key(path)) != nil, let filePath else { return }
            _ = write(contents, to: filePath)
        }
    }

    /// Paths are compared in absolute, normalised form, so `a/../b` and `b` share an entry.
    private static func key(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The persisted contents (`nil` when the file is missing or not a cache) and, for a
    /// file that is there but not a cache, why it is ignored.
    private static func readContents(_ path: String) -> (Contents?, String?) {
        guard FileManager.default.fileExists(atPath: path) else { return (nil, nil) }
        guard let data = FileManager.default.contents(atPath: path),
              let contents = try? JSONDecoder().decode(Contents.self, from: data),
              contents.version == 1 else {
            return (nil, "\(path) is not a version 1 digest cache; ignored and will be replaced")
        }
        return (contents, nil)
    }

    /// Writes `contents` through the writer; whether it worked.
    private func write(_ contents: Contents, to path: String) -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(contents) else { return false }
        do throws(StateFileError) {
            try writer.write(Array(data), to: path)
            return true
        } catch {
            return false
        }
    }
}
