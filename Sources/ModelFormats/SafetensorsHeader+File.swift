#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a header straight from a file, touching only the header's bytes.
extension SafetensorsHeader {
    /// Reads and validates the header of the safetensors file at `path`.
    ///
    /// Reads only the 8-byte prefix and the N header bytes with `pread`, never the tensor
    /// data, so checking a multi-gigabyte file costs a few kilobytes of I/O. Blocking: call
    /// it off the event loops.
    public static func read(fileAt path: String) throws(SafetensorsError) -> SafetensorsHeader {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw openError(errno) }
        defer { close(fd) }

        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .ioFailed(operation: "fstat", errno: errno) }
        let fileSize = Int(status.st_size)

        let lengthPrefix = try readFully(fd, count: min(lengthPrefixBytes, fileSize), at: 0)
        let needed = try requiredPrefixLength(prefix: lengthPrefix, fileSize: fileSize)
        let prefix = try readFully(fd, count: needed, at: 0)
        return try parse(prefix: prefix, fileSize: fileSize)
    }

    /// Maps `open`'s errno to the specific cases DESIGN §1.8 names.
    private static func openError(_ code: Int32) -> SafetensorsError {
        switch code {
        case ENOENT, ENOTDIR: .fileNotFound
        case EACCES, EPERM: .permissionDenied
        default: .ioFailed(operation: "open", errno: code)
        }
    }

    /// Reads exactly `count` bytes at `offset`, retrying short reads and `EINTR`.
    private static func readFully(_ fd: Int32, count: Int, at offset: Int) throws(SafetensorsError) -> [UInt8] {
        var failure: SafetensorsError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            while initialized < count {
                // The pointer stays inside `buffer`: initialized < count == buffer.count.
                let result = pread(fd, buffer.baseAddress! + initialized, count - initialized,
                                   off_t(offset + initialized))
                if result > 0 {
                    initialized += result
                } else if result == 0 {
                    failure = .unexpectedEndOfFile
                    return
                } else if errno != EINTR {
                    failure = .ioFailed(operation: "pread", errno: errno)
                    return
                }
            }
        }
        if let failure { throw failure }
        return bytes
    }
}
