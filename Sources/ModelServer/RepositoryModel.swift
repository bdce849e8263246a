import Foundation
import ModelLoading

/// A model as one repository scan saw it: its descriptor and the identity (size, mtime,
/// inode) of each file in its folder, so a later scan can tell whether it changed on disk
/// without reading any file.
struct RepositoryModel: Sendable, Equatable {
    var descriptor: ModelDescriptor
    /// `FileIdentity` of every regular file directly in the folder (symlinks followed,
    /// hidden names skipped), by file name.
    var files: [String: FileIdentity]

    var id: String { descriptor.id }

    /// The model of `descriptor` with its folder's files as they are now.
    static func scanned(_ descriptor: ModelDescriptor) -> RepositoryModel {
        RepositoryModel(descriptor: descriptor, files: fileIdentities(in: descriptor.directory))
    }

    /// Stats each entry of `directory`; sub-folders and unreadable entries are left out.
    static func fileIdentities(in directory: String) -> [String: FileIdentity] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var files: [String: FileIdentity] = [:]
        for name in names where !name.hasPrefix(".") {
            let path = directory + "/" + name
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
                  let identity = FileIdentity.of(path: path) else { continue }
            files[name] = identity
        }
        return files
    }
}
