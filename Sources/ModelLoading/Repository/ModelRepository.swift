import Foundation
public import ModelRuntime

/// The model repository of DESIGN §1.6: one sub-folder per model, named after the model's id
/// (the Triton convention).
///
/// Policy: a sub-folder with a `model.yaml` is described by it; a sub-folder without one is
/// offered when a registered runtime `recognizes(directory:)` it (runtimes are asked in name
/// order, the first wins) and gets the manifest defaults with that runtime. Hidden entries
/// (names starting with `.`) and plain files are ignored. A folder with a bad id or a bad
/// manifest does not stop the scan: it is listed in `problems` and the others are offered.
public enum ModelRepository {
    /// Longest model id, in characters: 128.
    public static let maxIDLength = 128

    /// Scans `directory` for models.
    ///
    /// - Parameters:
    ///   - directory: the repository folder.
    ///   - runtimes: the registered runtimes by name; used to recognise folders without a
    ///     manifest (a manifest's runtime is checked when the model loads, at step 1).
    /// - Throws: `repository_not_found` when `directory` does not exist or is not a folder.
    public static func scan(
        directory: String, runtimes: [String: any ModelRuntimeFactory]
    ) throws(ModelLoadError) -> ModelRepositoryScan {
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        guard isDirectory(root) else { throw .repositoryNotFound(directory) }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: root)
        } catch {
            throw .repositoryNotFound(directory)
        }
        var models: [ModelDescriptor] = []
        var problems: [(folder: String, error: ModelLoadError)] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let folder = root + "/" + name
            guard isDirectory(folder) else { continue }
            do {
                models.append(try describe(folder: folder, id: name, runtimes: runtimes))
            } catch {
                problems.append((folder: name, error: error))
            }
        }
        return ModelRepositoryScan(models: models, problems: problems)
    }

    /// Describes one model folder: its id checked, its manifest read or its layout recognised.
    public static func describe(
        folder: String, id: String, runtimes: [String: any ModelRuntimeFactory]
    ) throws(ModelLoadError) -> ModelDescriptor {
        guard isValidID(id) else { throw .invalidModelID(id) }
        let manifestPath = folder + "/" + ModelManifest.fileName
        if FileManager.default.fileExists(atPath: manifestPath) {
            guard let data = FileManager.default.contents(atPath: manifestPath) else {
                throw .permissionDenied(manifestPath)
            }
            let manifest = try ModelManifest.parse(yaml: String(decoding: data, as: UTF8.self))
            return ModelDescriptor(id: id, directory: folder, manifest: manifest)
        }
        for name in runtimes.keys.sorted() where runtimes[name]!.recognizes(directory: folder) {
            return ModelDescriptor(id: id, directory: folder, manifest: ModelManifest(runtime: name))
        }
        throw .notRecognized(folder)
    }

    /// Whether `id` is a valid model id: `[A-Za-z0-9][A-Za-z0-9._-]{0,127}`, so it is safe in
    /// a URL path segment, a room name and a file name.
    public static func isValidID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard let first = bytes.first, bytes.count <= maxIDLength, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }
}
