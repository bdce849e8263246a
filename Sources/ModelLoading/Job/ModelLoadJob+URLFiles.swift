import Foundation
import ModelHub

/// Weights named by URL in `model.yaml` (`files: {model.safetensors: {url, sha256}}`): step 3
/// fetches them into the URL file cache (`URLFileFetch`: beside the hub cache, by SHA-256)
/// with byte progress like a hub download, verified while they stream, so step 5 does not
/// hash them again. The runtime then reads the model from a view folder (`URLFileView`) that
/// links the model folder's files and the fetched ones, at step 3 rather than 2, as for a hub
/// model whose weights were missing. A file already cached is used without a request and
/// verified at step 5.
extension ModelLoadJob {
    /// Whether the runtime waits for step 3 (the weights come from a URL).
    var hasURLFiles: Bool { !descriptor.manifest.urlByFile.isEmpty }

    /// The URL work of step 3: fetch every URL file, then link the view the runtime reads.
    func fetchFromURLs(progress: LoadProgressSink) throws(ModelLoadError) {
        let manifest = descriptor.manifest
        guard hasURLFiles else { return }
        let hub = try resolvedHubSettings()
        let cancellation = HubCancellation(checking: progress.isCancelled)
        var fetched: [String: String] = [:]
        var verified: [String: String] = [:]
        for name in manifest.urlByFile.keys.sorted() {
            guard let url = manifest.urlByFile[name], let sha256 = manifest.sha256ByFile[name] else { continue }
            let fetch = URLFileFetch(settings: hub, name: name, url: url, sha256: sha256,
                                     cancellation: cancellation, stallSeconds: settings.hubStallSeconds)
            let result: URLFileFetch.Result
            do throws(HubError) {
                result = try fetch.perform { update in
                    guard update.bytesTotal > 0 else { return }
                    if !update.file.isEmpty {
                        progress.reportTransfer(LoadTransfer(file: update.file, bytesPerSecond: update.bytesPerSecond))
                    }
                    progress.reportBytes(update.bytesLoaded, update.bytesTotal)
                }
            } catch .cancelled {
                throw .cancelled
            } catch {
                throw ModelLoadError(code: error.code, message: error.reason)
            }
            note(.checkCache, "url", url)
            note(.checkCache, "bytes_downloaded", String(result.bytesDownloaded))
            fetched[name] = result.path
            if result.verified { verified[name] = sha256 }
        }
        let view = URLFileView(cacheRoot: URLFileFetch.cacheRoot(hubCache: hub.cacheDirectory), modelFolder: descriptor.directory)
        try view.update(modelFolder: descriptor.directory, urlFiles: fetched)
        urlViewFolder = view.folder
        for (name, sha256) in verified {
            let path = view.folder + "/" + name
            // Verified while streaming: recorded under the path the runtime reads, so step 3's
            // lookup hits and step 5 skips hashing.
            if let identity = FileIdentity.of(path: path) { _ = digestCache.record(path: path, identity: identity, sha256: sha256) }
        }
        note(.checkCache, "url_view", view.folder)
        try reserveDownloadedWeights(fetched.values.sorted())
    }
}
