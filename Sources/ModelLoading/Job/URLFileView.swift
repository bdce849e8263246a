import Foundation
import ModelFormats

/// The folder the runtime reads for a model whose weights come from a URL: a link to each
/// entry of the model folder (but `model.yaml` and the URL-named files) and a link per URL
/// file to its cached copy, so the runtime sees one ordinary model folder. It lives in the
/// URL file cache, `views/<first 16 hex of SHA-256(model folder path)>`, and is brought up to
/// date at every load: links are replaced atomically (a temporary link renamed over the
/// old), so two daemons loading the same folder at once both see a complete view.
struct URLFileView {
    /// The view's path.
    let folder: String

    /// The view of `modelFolder` under `cacheRoot`.
    init(cacheRoot: String, modelFolder: String) {
        var digest = SHA256Digest()
        digest.update(Array(modelFolder.utf8))
        folder = cacheRoot + "/views/" + String(digest.finalizeHex().prefix(16))
    }

    /// Links the view: the model folder's entries, then `urlFiles` (name to cached path),
    /// which win over a same-named entry of the folder; links of entries gone are removed.
    func update(modelFolder: String, urlFiles: [String: String]) throws(ModelLoadError) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ModelLoadError(code: "cache_error", message: "cannot create \(folder): \(error.localizedDescription)")
        }
        let entries = ((try? manager.contentsOfDirectory(atPath: modelFolder)) ?? [])
            .filter { $0 != "model.yaml" && urlFiles[$0] == nil && !$0.hasPrefix(".") }
        var targets: [String: String] = [:]
        for name in entries { targets[name] = modelFolder + "/" + name }
        for (name, path) in urlFiles { targets[name] = path }
        for (name, target) in targets.sorted(by: { $0.key < $1.key }) {
            try link(name: name, to: target)
        }
        for name in (try? manager.contentsOfDirectory(atPath: folder)) ?? [] where targets[name] == nil && !name.hasPrefix(".") {
            unlink(folder + "/" + name)
        }
    }

    private func link(name: String, to target: String) throws(ModelLoadError) {
        let path = folder + "/" + name
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == target { return }
        let temporary = folder + "/.\(name).\(getpid()).\(UInt64.random(in: 0...UInt64.max))"
        guard symlink(target, temporary) == 0 else {
            throw ModelLoadError(code: "cache_error", message: "cannot link \(temporary): errno \(errno)")
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw ModelLoadError(code: "cache_error", message: "cannot link \(path): errno \(code)")
        }
    }
}
