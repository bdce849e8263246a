import ModelHub
import Yams

/// Parsing `model.yaml` (DESIGN §1.6) into a `ModelManifest`.
///
/// The parser is strict so a typo cannot silently change behaviour: an unknown key, a
/// repeated key or a value of the wrong kind is an error naming the key (and the value),
/// rather than a default quietly taking its place. Accepted keys:
///
/// - `runtime` (string, required): the runtime that loads the model.
/// - `required` (boolean, default `true`): whether `/readyz` waits for the model.
/// - `load` (`startup` | `on_demand`, default `startup`).
/// - `files` (mapping, optional): `file name: {sha256: 64 hex digits, url: URL}`; the digest
///   is required; `url` (optional) fetches the file at step 3 (`FileURL` says which URLs; a
///   top-level `.safetensors` file only, read after step 2, and not with `source`).
/// - `source` (`hf://ORG/NAME[@REVISION]`, optional): fetch the files from a model hub.
extension ModelManifest {
    /// The manifest's file name inside a model folder.
    public static let fileName = "model.yaml"

    /// The keys a manifest may hold, in the order the documentation lists them.
    static let knownKeys = ["runtime", "required", "load", "files", "source"]

    /// Parses the text of a `model.yaml`.
    public static func parse(yaml text: String) throws(ModelLoadError) -> ModelManifest {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw .manifestMalformed("not valid YAML")
        }
        guard let root, let mapping = root.mapping else {
            throw .manifestMalformed("the document must be a mapping of keys to values")
        }
        var manifest = ModelManifest(runtime: "")
        var hasRuntime = false
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            guard knownKeys.contains(key) else { throw .manifestUnknownKey(key) }
            guard seen.insert(key).inserted else { throw .manifestMalformed("'\(key)' is given twice") }
            switch key {
            case "runtime":
                manifest.runtime = try parseRuntime(value)
                hasRuntime = true
            case "required":
                guard let flag = value.bool else {
                    throw .manifestInvalidValue(key: key, value: describe(value), expected: "true or false")
                }
                manifest.required = flag
            case "load":
                guard let policy = value.scalar.flatMap({ LoadPolicy(rawValue: $0.string) }) else {
                    throw .manifestInvalidValue(key: key, value: describe(value), expected: "startup or on_demand")
                }
                manifest.load = policy
            case "source":
                manifest.source = try parseSource(value)
            default:
                (manifest.sha256ByFile, manifest.urlByFile) = try parseFiles(value)
            }
        }
        guard hasRuntime else { throw .manifestMalformed("'runtime' is required") }
        if manifest.source != nil, let name = manifest.urlByFile.keys.sorted().first {
            throw .manifestMalformed("'files.\(name).url' and 'source' cannot be combined: the hub gives the files")
        }
        return manifest
    }

    /// `runtime:` must be a non-empty plain string.
    private static func parseRuntime(_ value: Node) throws(ModelLoadError) -> String {
        guard let scalar = value.scalar, !scalar.string.isEmpty else {
            throw .manifestInvalidValue(key: "runtime", value: describe(value), expected: "a runtime name")
        }
        return scalar.string
    }

    /// `source:` must be a valid `hf://ORG/NAME[@REVISION]`.
    private static func parseSource(_ value: Node) throws(ModelLoadError) -> HubReference {
        do throws(HubError) {
            return try HubReference(parsing: value.scalar?.string ?? "")
        } catch {
            throw .manifestInvalidValue(key: "source", value: describe(value), expected: "hf://ORG/NAME[@REVISION]")
        }
    }

    /// `files:` maps a file name to `{sha256: hex, url: URL}`; the digest is stored lower-case.
    private static func parseFiles(_ value: Node) throws(ModelLoadError) -> (sha256: [String: String], url: [String: String]) {
        if value.null != nil { return ([:], [:]) }
        guard let files = value.mapping else {
            throw .manifestInvalidValue(key: "files", value: describe(value), expected: "a mapping of file names")
        }
        var digests: [String: String] = [:]
        var urls: [String: String] = [:]
        for (nameNode, entry) in files {
            let name = nameNode.string ?? ""
            let key = "files.\(name)"
            guard isPlainRelativeName(name) else {
                throw .manifestInvalidValue(key: "files", value: name, expected: "a file name inside the model folder")
            }
            guard let fields = entry.mapping else {
                throw .manifestInvalidValue(key: key, value: describe(entry), expected: "a mapping {sha256: ...}")
            }
            for (fieldNode, field) in fields {
                let fieldName = fieldNode.string ?? ""
                switch fieldName {
                case "sha256":
                    let hex = (field.scalar?.string ?? "").lowercased()
                    guard isSHA256Hex(hex) else {
                        throw .manifestInvalidValue(key: "\(key).sha256", value: describe(field), expected: "64 hexadecimal digits")
                    }
                    digests[name] = hex
                case "url":
                    urls[name] = try parseURL(field, key: "\(key).url", name: name)
                default:
                    throw .manifestUnknownKey("\(key).\(fieldName)")
                }
            }
            // An entry without its digest would silently verify nothing.
            guard digests[name] != nil else { throw .manifestMalformed("'\(key)' has no sha256") }
        }
        return (digests, urls)
    }

    /// `files.NAME.url`: a URL `FileURL` accepts, for a top-level `.safetensors` file (the
    /// weights, which are read after step 3 fetched them).
    private static func parseURL(_ value: Node, key: String, name: String) throws(ModelLoadError) -> String {
        guard let text = value.scalar?.string else {
            throw .manifestInvalidValue(key: key, value: describe(value), expected: "an https:// URL")
        }
        if let problem = FileURL.problem(text) {
            throw .manifestInvalidValue(key: key, value: text, expected: "an https:// URL (\(problem))")
        }
        guard !name.unicodeScalars.contains("/"), name.hasSuffix(".safetensors") else {
            throw .manifestInvalidValue(key: key, value: text, expected: "a url only for top-level .safetensors weights")
        }
        return text
    }

    /// A name of a file inside the model folder: relative, and no component empty, `.` or
    /// `..`. Checked among scalars: "/" followed by a combining mark is one Character, which
    /// would hide a leading or separating slash from a Character-wise check.
    private static func isPlainRelativeName(_ name: String) -> Bool {
        let components = name.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false)
        return !name.isEmpty && name.unicodeScalars.first != "/"
            && components.allSatisfy { !$0.isEmpty && String($0) != "." && String($0) != ".." }
    }

    /// Exactly 64 lower-case hex digits.
    private static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// A value as it appears in an error: the scalar's text, or its kind.
    private static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): scalar.string
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
