import Foundation

/// Fills the cache with one model's files and returns its snapshot folder: resolve the
/// revision, skip blobs already cached, fetch the others (locked, resumable, verified), link
/// the snapshot and write `refs/<revision>`.
///
/// Blocking, on the calling thread, which must be a dedicated one (a load's job thread,
/// `modeld pull`'s main thread): never an event loop or the cooperative pool. `progress` is
/// called on that thread, at most every 100 ms and once at the end.
public struct HubPull: Sendable {
    /// The hub and cache to use.
    public let client: HubClient
    /// The model to fetch.
    public let reference: HubReference
    /// Checked between chunks and while waiting.
    public let cancellation: HubCancellation

    /// A pull of `reference` through `client`.
    public init(client: HubClient, reference: HubReference, cancellation: HubCancellation) {
        self.client = client
        self.reference = reference
        self.cancellation = cancellation
    }

    var layout: HubCacheLayout { HubCacheLayout(root: client.settings.cacheDirectory, reference: reference) }

    /// Runs the pull of the files modeld needs that `selecting` accepts (all by default).
    /// Offline, only the cache answers (`not_in_cache` when it lacks the model).
    public func perform(
        selecting: (HubFile) -> Bool = { _ in true }, progress: @escaping (HubProgress) -> Void
    ) throws(HubError) -> HubSnapshot {
        if client.settings.offline { return try cachedSnapshot() }
        let info: HubRepositoryInfo
        do throws(HubError) {
            info = try client.repositoryInfo(reference, cancellation: cancellation)
        } catch .downloadFailed(let message) {
            // The hub is unreachable: a snapshot already in the cache still serves, as in
            // `huggingface_hub`; else the transfer error stands.
            if let snapshot = try? cachedSnapshot() { return snapshot }
            throw .downloadFailed(message)
        }
        return try fetch(info, selecting: selecting, progress: progress)
    }

    /// The snapshot the cache holds for the reference, without any request.
    public func cachedSnapshot() throws(HubError) -> HubSnapshot {
        guard let commit = layout.cachedCommit() else {
            throw .notInCache("\(reference) (no \(layout.ref(reference.revision)))")
        }
        let folder = layout.snapshotFolder(commit: commit)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notInCache("\(reference) (no snapshot \(commit))")
        }
        return HubSnapshot(commit: commit, folder: folder, verifiedDigests: [:], bytesDownloaded: 0)
    }

    private func fetch(
        _ info: HubRepositoryInfo, selecting: (HubFile) -> Bool, progress: @escaping (HubProgress) -> Void
    ) throws(HubError) -> HubSnapshot {
        let layout = self.layout
        let files = info.files.filter { HubFile.isNeeded(path: $0.path) && selecting($0) }
        let manager = FileManager.default
        let missing = files.filter { !manager.fileExists(atPath: layout.blob(etag: $0.etag)) }
        let total = missing.reduce(Int64(0)) { $0 + $1.size }
        var partials: [String: Int64] = [:]
        for file in missing { partials[file.etag] = min(file.size, Self.fileSize(layout.incompleteBlob(etag: file.etag)) ?? 0) }
        let partial = partials.values.reduce(0, +)
        if let available = layout.availableBytes(), available < total - partial {
            throw .insufficientDisk(needed: total - partial, available: available)
        }
        var tracker = HubProgressTracker(total: total, alreadyLoaded: partial, report: progress)
        var verified: [String: String] = [:]
        for file in missing {
            if let digest = try fetchBlob(file, commit: info.commit, counted: partials[file.etag] ?? 0, tracker: &tracker) {
                verified[file.path] = digest
            }
        }
        for file in files {
            try layout.link(file: file.path, commit: info.commit, etag: file.etag)
        }
        try layout.writeRef(commit: info.commit)
        tracker.finish()
        return HubSnapshot(
            commit: info.commit, folder: layout.snapshotFolder(commit: info.commit),
            verifiedDigests: verified, bytesDownloaded: tracker.downloaded)
    }

    /// Fetches one blob under its lock unless another pull has meanwhile; returns the SHA-256
    /// verified while streaming, if the file has one. `counted` is the size of its partial
    /// blob when the pull began (in the tracker's bytes already).
    private func fetchBlob(
        _ file: HubFile, commit: String, counted: Int64, tracker: inout HubProgressTracker
    ) throws(HubError) -> String? {
        let layout = self.layout
        do {
            try FileManager.default.createDirectory(
                atPath: layout.repositoryFolder + "/blobs", withIntermediateDirectories: true)
        } catch {
            throw .cacheError("cannot create \(layout.repositoryFolder)/blobs: \(error.localizedDescription)")
        }
        let incomplete = layout.incompleteBlob(etag: file.etag)
        var counted = counted
        tracker.begin(file)
        // While another pull (another load, daemon or huggingface_hub) holds the lock, its
        // partial blob's growth is this load's progress too: it feeds the stall watchdog and
        // the ETA, and a holder that stops moving lets the watchdog fire as it should.
        let lock = try HubFileLock(path: layout.lock(etag: file.etag), cancellation: cancellation) {
            let size = min(file.size, Self.fileSize(incomplete) ?? 0)
            if size > counted {
                tracker.followed(size - counted)
                counted = size
            }
        }
        defer { withExtendedLifetime(lock) {} }
        let blob = layout.blob(etag: file.etag)
        if FileManager.default.fileExists(atPath: blob) {
            tracker.skip(remaining: file.size - counted)
            return nil
        }
        // The holder stopped (killed, cancelled) after the last look: its bytes are ours now.
        tracker.followed(min(file.size, Self.fileSize(incomplete) ?? 0) - counted)
        let download = HubBlobDownload(
            client: client, url: client.resolveURL(reference, commit: commit, file: file.path),
            file: file, incompletePath: layout.incompleteBlob(etag: file.etag), cancellation: cancellation)
        let digest = try download.run(tracker: &tracker)
        guard rename(layout.incompleteBlob(etag: file.etag), blob) == 0 else {
            throw .cacheError("cannot rename the finished blob to \(blob): errno \(errno)")
        }
        return digest
    }

    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }
}
