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
///   a temporary file and `rename(2)`, so a crash leaves the old or the new file, never a
///   torn one. A file that cannot be read as a cache is ignored (and replaced on the next
///   write): losing the cache only costs one re-hash. A write that fails is not a load
///   failure for the same reason; `record` reports it by returning `false`.
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
    private let state: Mutex<Contents>

    /// Opens the cache in `directory` (the server's state dir); `nil` keeps it in memory.
    public init(directory: String?) {
        filePath = directory.map { $0 + "/" + Self.fileName }
        state = Mutex(filePath.flatMap(Self.readContents) ?? Contents())
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
            return filePath.map { Self.write(contents, to: $0) } ?? true
        }
    }

    /// Forgets the entry for `path`, if any.
    public func remove(path: String) {
        state.withLock { contents in
            guard contents.entries.removeValue(forKey: Self.key(path)) != nil, let filePath else { return }
            _ = Self.write(contents, to: filePath)
        }
    }

    /// Paths are compared in absolute, normalised form, so `a/../b` and `b` share an entry.
    private static func key(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The persisted contents, or `nil` when the file is missing or not a cache.
    private static func readContents(_ path: String) -> Contents? {
        guard let data = FileManager.default.contents(atPath: path),
              let contents = try? JSONDecoder().decode(Contents.self, from: data),
              contents.version == 1 else { return nil }
        return contents
    }

    /// Writes `contents` to a temporary file beside `path`, then renames it over `path`.
    private static func write(_ contents: Contents, to path: String) -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(contents) else { return false }
        let temporary = path + ".tmp-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return false }
        // rename(2) replaces the target atomically: readers see the old or the new file.
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }
}
