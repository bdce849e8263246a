#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ModelFormats
import Testing

/// Reading headers from real files in a private temporary directory.
struct SafetensorsHeaderFileTests {
    /// A fresh directory under the system temp dir, removed by `cleanUp`.
    private final class TempDirectory {
        let path: String

        init() throws {
            var template = Array("/tmp/modeld-formats-XXXXXX".utf8CString)
            let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            try #require(made != nil)
            path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        func makeFile(_ name: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws -> String {
            let file = "\(path)/\(name)"
            let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
            try #require(fd >= 0)
            defer { close(fd) }
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            try #require(written == bytes.count)
            return file
        }

        deinit {
            if let dir = opendir(path) {
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    if name != "." && name != ".." { unlink("\(path)/\(name)") }
                }
                closedir(dir)
            }
            rmdir(path)
        }
    }

    @Test("a header read from a file equals the header parsed from its bytes")
    func readMatchesParse() throws {
        let directory = try TempDirectory()
        let bytes = SafetensorsFixture.validFile([("w", .f32, [64, 64]), ("b", .f32, [64])], metadata: ["format": "pt"])
        let path = try directory.makeFile("model.safetensors", bytes)
        let header = try SafetensorsHeader.read(fileAt: path)
        #expect(header == (try SafetensorsFixture.parse(bytes)))
        #expect(header.fileSize == bytes.count)
        #expect(header.totalDataBytes == 4 * (64 * 64 + 64))
    }

    @Test("a missing file is file_not_found")
    func missingFile() throws {
        let directory = try TempDirectory()
        #expect(throws: SafetensorsError.fileNotFound) { try SafetensorsHeader.read(fileAt: "\(directory.path)/absent.safetensors") }
    }

    @Test("an unreadable file is permission_denied", .enabled(if: geteuid() != 0, "root reads any file"))
    func unreadableFile() throws {
        let directory = try TempDirectory()
        let path = try directory.makeFile("locked.safetensors", SafetensorsFixture.validFile([("w", .u8, [1])]), mode: 0)
        #expect(throws: SafetensorsError.permissionDenied) { try SafetensorsHeader.read(fileAt: path) }
    }

    @Test("a file truncated inside its data is caught by the header's ranges")
    func truncatedFile() throws {
        let directory = try TempDirectory()
        let bytes = SafetensorsFixture.validFile([("w", .f32, [16])])
        let path = try directory.makeFile("cut.safetensors", Array(bytes.dropLast(10)))
        #expect(throws: SafetensorsError.offsetsOutOfRange(tensor: "w", end: 64, dataSize: 54)) {
            try SafetensorsHeader.read(fileAt: path)
        }
    }

    @Test("a file truncated inside its header is header_past_end")
    func truncatedHeader() throws {
        let directory = try TempDirectory()
        let bytes = SafetensorsFixture.validFile([("w", .f32, [16])])
        let path = try directory.makeFile("cut.safetensors", Array(bytes.prefix(20)))
        let length = UInt64(bytes.count - 8 - 64)
        #expect(throws: SafetensorsError.headerPastEnd(length: length, fileSize: 20)) { try SafetensorsHeader.read(fileAt: path) }
    }

    @Test("an empty file is file_too_small and a directory is an io_error")
    func emptyFileAndDirectory() throws {
        let directory = try TempDirectory()
        let path = try directory.makeFile("empty.safetensors", [])
        #expect(throws: SafetensorsError.fileTooSmall(fileSize: 0)) { try SafetensorsHeader.read(fileAt: path) }
        #expect(throws: SafetensorsError.ioFailed(operation: "pread", errno: EISDIR)) { try SafetensorsHeader.read(fileAt: directory.path) }
    }
}
