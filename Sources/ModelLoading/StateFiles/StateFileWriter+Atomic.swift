import Foundation
import Glibc

/// The atomic, durable write and the clean-up of temporary files a killed process left.
extension StateFileWriter {
    /// What follows the target's name in its temporary files: `<name>.tmp-<pid>-<uuid>`.
    static let temporaryMarker = ".tmp-"

    /// Temporary file, `fsync`, `rename(2)` over `path`, `fsync` of the directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(StateFileError) {
        let temporary = "\(path)\(temporaryMarker)\(getpid())-\(UUID().uuidString)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw StateFileError(path: path, operation: "open", code: errno) }
        do throws(StateFileError) {
            try writeAll(bytes, to: fd, path: path)
            guard fsync(fd) == 0 else { throw StateFileError(path: path, operation: "fsync", code: errno) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard close(fd) == 0 else {
            let code = errno
            unlink(temporary)
            throw StateFileError(path: path, operation: "close", code: code)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw StateFileError(path: path, operation: "rename", code: code)
        }
        try syncDirectory(of: path)
    }

    /// `write` until every byte is out, retrying short writes and `EINTR`.
    private static func writeAll(_ data: [UInt8], to fd: Int32, path: String) throws(StateFileError) {
        let failure: Int32? = data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if count > 0 {
                    offset += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return count < 0 ? errno : EIO
                }
            }
            return nil
        }
        if let failure { throw StateFileError(path: path, operation: "write", code: failure) }
    }

    /// Makes the rename itself durable. A file system that cannot sync a directory
    /// (`EINVAL`) has nothing more to give, so that is not an error.
    private static func syncDirectory(of path: String) throws(StateFileError) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StateFileError(path: path, operation: "open directory", code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 || errno == EINVAL else {
            throw StateFileError(path: path, operation: "fsync directory", code: errno)
        }
    }

    /// Removes the temporary files of `path` whose writer process no longer exists (a
    /// `kill -9` between creating one and renaming it). Another live process's file is left
    /// alone, so a `check-model` sharing the state directory cannot break a server's write.
    ///
    /// - Returns: the names removed.
    @discardableResult
    public static func removeLeftovers(of path: String) -> [String] {
        let directory = (path as NSString).deletingLastPathComponent
        let prefix = (path as NSString).lastPathComponent + temporaryMarker
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory) else {
            return []
        }
        return names.filter { name in
            guard name.hasPrefix(prefix),
                  let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }),
                  kill(pid, 0) != 0 && errno == ESRCH else { return false }
            return unlink((directory as NSString).appendingPathComponent(name)) == 0
        }
    }
}
