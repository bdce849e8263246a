import Foundation

/// Fetches a file a model names by URL (`files: {NAME: {url, sha256}}` in `model.yaml`) into
/// the URL file cache, with the machinery of hub blobs (`HubBlobDownload`): byte progress and
/// rate, `Range` resume from the `.incomplete` file (also after a killed daemon), retries with
/// backoff, SHA-256 verified while streaming (a mismatch deletes the file), a `flock` so two
/// loads fetch it once. No credentials are sent (the hub token is for the hub).
///
/// The cache is `modeld-url-files/` beside the hub cache folder (its parent), so
/// `huggingface_hub`'s cache scan never meets it; files are content-addressed:
/// `blobs/<sha256>`, `blobs/<sha256>.incomplete`, `.locks/<sha256>.lock`. A file already
/// there is used without a request (and verified at step 5 like any file with a digest).
public struct URLFileFetch: Sendable {
    /// Endpoint-independent settings used: the cache, `caFile`, offline.
    public let settings: HubSettings
    /// The file's name in the model (what progress shows).
    public let name: String
    /// Where it comes from (checked by `FileURL.problem`).
    public let url: String
    /// The SHA-256 it must have (64 lower-case hex digits).
    public let sha256: String
    /// Checked between chunks and while waiting.
    public let cancellation: HubCancellation
    /// Stall timeout of one transfer, seconds.
    public let stallSeconds: Int

    /// A fetch of `url` as `name`, which must hash to `sha256`.
    public init(settings: HubSettings, name: String, url: String, sha256: String, cancellation: HubCancellation,
                stallSeconds: Int = 30) {
        self.settings = settings
        self.name = name
        self.url = url
        self.sha256 = sha256
        self.cancellation = cancellation
        self.stallSeconds = stallSeconds
    }

    /// What a fetch left: the cached file, and whether its digest was verified while streaming.
    public struct Result: Sendable, Equatable {
        /// The file in the cache.
        public var path: String
        /// Whether this fetch downloaded and verified it (else it was already cached).
        public var verified: Bool
        /// Bytes received over the network.
        public var bytesDownloaded: Int64
    }

    /// The URL file cache of a hub cache folder: `modeld-url-files` beside it.
    public static func cacheRoot(hubCache: String) -> String {
        var hub = hubCache
        while hub.count > 1, hub.hasSuffix("/") { hub.removeLast() }
        let parent = (hub as NSString).deletingLastPathComponent
        return (parent.isEmpty ? "." : parent) + "/modeld-url-files"
    }

    var root: String { Self.cacheRoot(hubCache: settings.cacheDirectory) }
    var blob: String { root + "/blobs/" + sha256 }
    var incomplete: String { blob + ".incomplete" }

    /// Returns the cached file, downloading it first when missing (`not_in_cache` offline).
    public func perform(progress: @escaping (HubProgress) -> Void) throws(HubError) -> Result {
        if FileManager.default.fileExists(atPath: blob) { return Result(path: blob, verified: false, bytesDownloaded: 0) }
        guard !settings.offline else { throw .notInCache("\(name) from \(url) (offline)") }
        do {
            try FileManager.default.createDirectory(atPath: root + "/blobs", withIntermediateDirectories: true)
        } catch {
            throw .cacheError("cannot create \(root)/blobs: \(error.localizedDescription)")
        }
        var noCredentials = settings
        noCredentials.token = nil
        let client = HubClient(settings: noCredentials, stallSeconds: stallSeconds)
        let size = try contentLength(client: client)
        var counted = min(size, HubPull.fileSize(incomplete) ?? 0)
        if let available = HubCacheLayout.availableBytes(under: root), available < size - counted {
            throw .insufficientDisk(needed: size - counted, available: available)
        }
        let file = HubFile(path: name, size: size, etag: sha256, sha256: sha256)
        var tracker = HubProgressTracker(total: size, alreadyLoaded: counted, report: progress)
        tracker.begin(file)
        let lock = try HubFileLock(path: root + "/.locks/" + sha256 + ".lock", cancellation: cancellation) {
            let now = min(size, HubPull.fileSize(incomplete) ?? 0)
            if now > counted {
                tracker.followed(now - counted)
                counted = now
            }
        }
        defer { withExtendedLifetime(lock) {} }
        if FileManager.default.fileExists(atPath: blob) {
            tracker.skip(remaining: size - counted)
            tracker.finish()
            return Result(path: blob, verified: false, bytesDownloaded: 0)
        }
        tracker.followed(min(size, HubPull.fileSize(incomplete) ?? 0) - counted)
        let download = HubBlobDownload(client: client, url: url, file: file, incompletePath: incomplete,
                                       cancellation: cancellation)
        _ = try Self.withoutAccessErrors(url) { () throws(HubError) in try download.run(tracker: &tracker) }
        guard rename(incomplete, blob) == 0 else {
            throw .cacheError("cannot rename the finished file to \(blob): errno \(errno)")
        }
        tracker.finish()
        return Result(path: blob, verified: true, bytesDownloaded: tracker.downloaded)
    }

    /// The file's size: a HEAD (following redirects) must give `Content-Length`. Retried as
    /// any request is.
    private func contentLength(client: HubClient) throws(HubError) -> Int64 {
        let request = HubRequest(url: url, isHead: true, stallSeconds: stallSeconds, caFile: settings.caFile)
        let response = try Self.withoutAccessErrors(url) { () throws(HubError) in
            try client.performSmall(request, verb: "HEAD", cancellation: cancellation).response
        }
        guard let text = response.headers["content-length"], let size = Int64(text), size >= 0 else {
            throw .downloadFailed("HEAD \(url): no Content-Length, so the download cannot be sized or resumed")
        }
        return size
    }

    /// A 401/403 of a URL is not about the hub token (none is sent): `download_failed`.
    private static func forURL(_ error: HubError) -> HubError {
        if case .unauthorized(let what) = error { return .downloadFailed("access refused (modeld sends no credentials to url: files): \(what)") }
        return error
    }

    private static func withoutAccessErrors<T>(_ url: String, _ body: () throws(HubError) -> T) throws(HubError) -> T {
        do throws(HubError) {
            return try body()
        } catch {
            throw forURL(error)
        }
    }
}
