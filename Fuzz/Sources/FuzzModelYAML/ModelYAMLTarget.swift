import FuzzSupport
import ModelHub
@testable import ModelLoading
import Yams

/// Parses the input as the text of a `model.yaml`, decoded the way the repository scan reads
/// one from disk (`String(decoding:as: UTF8.self)`), with `ModelManifest.parse(yaml:)`.
/// Checks: no trap and no hang; a rejected manifest is a `ModelLoadError` with the
/// `manifest_invalid` code and a message; an accepted one respects the documented rules
/// (non-empty runtime; each `files` entry a name inside the model folder with exactly one
/// 64-digit lower-case SHA-256; no key repeated at any level, so every entry of the `files`
/// mapping is a digest of the manifest; a `url` only with its digest, for top-level
/// `.safetensors` weights, `FileURL`-valid and without `source`); rendered back to YAML (`render`) it parses to the
/// same manifest.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    let manifest: ModelManifest
    do {
        manifest = try ModelManifest.parse(yaml: text)
    } catch {
        fuzzCheck(error.code == "manifest_invalid", "rejected with code \(error.code)")
        fuzzCheck(!error.message.isEmpty, "rejected without a message")
        return 0
    }
    fuzzCheck(!manifest.runtime.isEmpty, "accepted an empty runtime")
    for (name, digest) in manifest.sha256ByFile {
        fuzzCheck(!name.isEmpty && !name.hasPrefix("/") && !name.split(separator: "/").contains(".."),
                  "accepted the file name \(String(reflecting: name))")
        fuzzCheck(digest.utf8.count == 64 && digest.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) },
                  "accepted the digest \(String(reflecting: digest))")
    }
    for (name, url) in manifest.urlByFile {
        fuzzCheck(manifest.sha256ByFile[name] != nil, "accepted the url of \(String(reflecting: name)) without a sha256")
        fuzzCheck(FileURL.problem(url) == nil, "accepted the url \(String(reflecting: url))")
        fuzzCheck(!name.contains("/") && name.hasSuffix(".safetensors"), "accepted a url for \(String(reflecting: name))")
        fuzzCheck(manifest.source == nil, "accepted a url with source")
    }
    let document = (try? Yams.compose(yaml: text)) ?? nil
    let fileEntries = document?.mapping?["files"]?.mapping?.count ?? 0
    fuzzCheck(fileEntries == manifest.sha256ByFile.count,
              "\(fileEntries) files entries gave \(manifest.sha256ByFile.count) digests")
    let rendered: String
    do {
        rendered = try render(manifest)
    } catch {
        fuzzCheck(false, "cannot render \(manifest): \(error)")
        return 0
    }
    do {
        let again = try ModelManifest.parse(yaml: rendered)
        fuzzCheck(again == manifest, "round trip changed \(manifest) into \(again)")
    } catch {
        fuzzCheck(false, "the rendering of \(manifest) is rejected: \(error.message)\n\(rendered)")
    }
    return 0
}

/// The manifest as `model.yaml` text, every string double-quoted so any text survives.
private func render(_ manifest: ModelManifest) throws -> String {
    func quoted(_ text: String) -> Node { Node(text, Tag(.str), .doubleQuoted) }
    var pairs: [(Node, Node)] = [
        ("runtime", quoted(manifest.runtime)),
        ("required", Node(manifest.required ? "true" : "false")),
        ("load", Node(manifest.load.rawValue)),
    ]
    if !manifest.sha256ByFile.isEmpty {
        let files = manifest.sha256ByFile.sorted { $0.key < $1.key }.map { name, digest in
            var fields: [(Node, Node)] = [("sha256", quoted(digest))]
            if let url = manifest.urlByFile[name] { fields.append(("url", quoted(url))) }
            return (quoted(name), Node(fields))
        }
        pairs.append(("files", Node(files)))
    }
    if let source = manifest.source { pairs.append(("source", quoted(source.description))) }
    return try Yams.serialize(node: Node(pairs))
}
