/// A model's files in the cache after a pull: the snapshot folder to load from.
public struct HubSnapshot: Sendable, Equatable {
    /// The commit the revision resolved to.
    public let commit: String
    /// `<cache>/models--ORG--NAME/snapshots/<commit>`, holding symlinks to the blobs.
    public let folder: String
    /// Files this pull downloaded and verified against their SHA-256 while streaming, by
    /// repository path, with the digest (lower-case hex): the loader need not hash them again.
    public let verifiedDigests: [String: String]
    /// Bytes downloaded by this pull (0 when everything was cached).
    public let bytesDownloaded: Int64

    /// Creates a snapshot description.
    public init(commit: String, folder: String, verifiedDigests: [String: String], bytesDownloaded: Int64) {
        self.commit = commit
        self.folder = folder
        self.verifiedDigests = verifiedDigests
        self.bytesDownloaded = bytesDownloaded
    }
}
