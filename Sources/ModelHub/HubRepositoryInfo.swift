import Foundation

/// What the hub says about a repository at a revision: the commit it resolves to and its files.
///
/// Built from two JSON answers, parsed here as pure functions so they can be tested without a
/// hub: `GET /api/models/{repo}/revision/{rev}` (`sha`, `siblings[].rfilename`) and
/// `GET /api/models/{repo}/tree/{commit}?recursive=true` (`path`, `size`, `oid`, `lfs.oid`).
public struct HubRepositoryInfo: Sendable, Equatable {
    /// The 40-hex commit the revision resolved to.
    public let commit: String
    /// Every file of the tree at that commit (directories left out).
    public let files: [HubFile]

    /// Creates a description.
    public init(commit: String, files: [HubFile]) {
        self.commit = commit
        self.files = files
    }

    /// The commit `sha` of a revision answer.
    public static func parseCommit(revisionJSON bytes: [UInt8]) throws(HubError) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let sha = object["sha"] as? String, HubReference.isCommitHash(sha)
        else { throw .downloadFailed("the hub's revision answer has no 40-hex \"sha\"") }
        return sha
    }

    /// The files of a recursive tree answer. Entries with unsafe paths or ETags are refused:
    /// they would name places outside the cache.
    public static func parseFiles(treeJSON bytes: [UInt8]) throws(HubError) -> [HubFile] {
        guard let entries = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]] else {
            throw .downloadFailed("the hub's tree answer is not a JSON array of entries")
        }
        var files: [HubFile] = []
        for entry in entries where (entry["type"] as? String) == "file" {
            guard let path = entry["path"] as? String, let size = (entry["size"] as? Int).map(Int64.init),
                let oid = entry["oid"] as? String
            else { throw .downloadFailed("a tree entry lacks path, size or oid") }
            let lfs = entry["lfs"] as? [String: Any]
            let sha256 = (lfs?["oid"] as? String).map { $0.lowercased() }
            let etag = sha256 ?? oid
            guard HubFile.isSafePath(path), HubFile.isSafeETag(etag), size >= 0 else {
                throw .downloadFailed("unsafe tree entry \(String(reflecting: path))")
            }
            files.append(HubFile(path: path, size: size, etag: etag, sha256: sha256))
        }
        return files
    }
}
