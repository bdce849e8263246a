import Foundation

/// The paths of `huggingface_hub`'s cache, so both tools share one (its `file_download.py`):
///
/// ```
/// <cache>/models--ORG--NAME/blobs/<etag>                 a file's bytes, named by its ETag
/// <cache>/models--ORG--NAME/blobs/<etag>.incomplete      a download in progress (resumable)
/// <cache>/models--ORG--NAME/snapshots/<commit>/<file>    relative symlink to ../../blobs/<etag>
/// <cache>/models--ORG--NAME/refs/<revision>              the commit a branch or tag pointed to
/// <cache>/.locks/models--ORG--NAME/<etag>.lock           flock while a blob is being fetched
/// ```
///
/// The ETag of a large (LFS) file is its SHA-256, that of a small file its git blob SHA-1.
public struct HubCacheLayout: Sendable {
    /// The cache folder (`.../hub`).
    public let root: String
    /// The model whose files these are.
    public let reference: HubReference

    /// The layout of `reference` under `root`.
    public init(root: String, reference: HubReference) {
        self.root = root
        self.reference = reference
    }

    /// `models--ORG--NAME`.
    public var folderName: String { "models--\(reference.organization)--\(reference.name)" }
    /// `<cache>/models--ORG--NAME`.
    public var repositoryFolder: String { "\(root)/\(folderName)" }
    /// `<cache>/models--ORG--NAME/blobs/<etag>`.
    public func blob(etag: String) -> String { "\(repositoryFolder)/blobs/\(etag)" }
    /// The partial download of a blob.
    public func incompleteBlob(etag: String) -> String { blob(etag: etag) + ".incomplete" }
    /// `<cache>/.locks/models--ORG--NAME/<etag>.lock`.
    public func lock(etag: String) -> String { "\(root)/.locks/\(folderName)/\(etag).lock" }
    /// `<cache>/models--ORG--NAME/snapshots/<commit>`.
    public func snapshotFolder(commit: String) -> String { "\(repositoryFolder)/snapshots/\(commit)" }
    /// `<cache>/models--ORG--NAME/refs/<revision>`.
    public func ref(_ revision: String) -> String { "\(repositoryFolder)/refs/\(revision)" }

    /// The symlink target of `file` in a snapshot, relative to the link's folder
    /// (`../../blobs/<etag>`, one more `../` per sub-folder of `file`).
    public static func relativeBlobTarget(file: String, etag: String) -> String {
        let depth = HubFile.pathComponents(file).filter { !$0.isEmpty }.count - 1
        return String(repeating: "../", count: 2 + depth) + "blobs/\(etag)"
    }

    /// The commit the asked revision names in the cache: itself for a commit hash, else the
    /// content of `refs/<revision>`; nil when the cache does not know it.
    public func cachedCommit() -> String? {
        if reference.revisionIsCommit { return reference.revision }
        guard let text = try? String(contentsOfFile: ref(reference.revision), encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return HubReference.isCommitHash(commit) ? commit : nil
    }

    /// Records that `reference.revision` points at `commit` (no-op for a commit revision).
    public func writeRef(commit: String) throws(HubError) {
        guard !reference.revisionIsCommit, reference.revision != commit else { return }
        let path = ref(reference.revision)
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(commit.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .cacheError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Points `snapshots/<commit>/<file>` at `blobs/<etag>` with a relative symlink,
    /// replacing an older link.
    public func link(file: String, commit: String, etag: String) throws(HubError) {
        let path = snapshotFolder(commit: commit) + "/" + file
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if (try? manager.destinationOfSymbolicLink(atPath: path)) != nil || manager.fileExists(atPath: path) {
                try manager.removeItem(atPath: path)
            }
            try manager.createSymbolicLink(atPath: path, withDestinationPath: Self.relativeBlobTarget(file: file, etag: etag))
        } catch {
            throw .cacheError("cannot link \(path): \(error.localizedDescription)")
        }
    }

    /// Bytes free for an unprivileged writer on the file system holding the cache (its nearest
    /// existing ancestor), or nil when it cannot be asked.
    public func availableBytes() -> Int64? {
        Self.availableBytes(under: root)
    }

    /// Free bytes of the file system that holds `root` (or its nearest existing ancestor).
    static func availableBytes(under root: String) -> Int64? {
        var path = root
        while !FileManager.default.fileExists(atPath: path), path != "/", !path.isEmpty {
            path = (path as NSString).deletingLastPathComponent
        }
        var stats = statvfs()
        guard statvfs(path.isEmpty ? "." : path, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }
}
