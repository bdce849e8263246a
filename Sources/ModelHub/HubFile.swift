/// One file of a repository at a commit, as the hub's tree listing describes it.
public struct HubFile: Sendable, Equatable {
    /// The path inside the repository (`1_Pooling/config.json`), checked to stay inside it.
    public let path: String
    /// Its size in bytes.
    public let size: Int64
    /// The name of its blob in the cache: the SHA-256 of a large (LFS) file, the git blob
    /// SHA-1 of a small one (what the hub sends as `ETag` / `X-Linked-Etag`).
    public let etag: String
    /// The SHA-256 the bytes must have, for LFS files (`lfs.oid`); verified while streaming.
    public let sha256: String?

    /// Creates a file entry.
    public init(path: String, size: Int64, etag: String, sha256: String?) {
        self.path = path
        self.size = size
        self.etag = etag
        self.sha256 = sha256
    }

    /// Whether a repository path is safe to use as a path under a snapshot folder: relative,
    /// no empty, `.` or `..` component, no NUL or backslash. Checked on bytes, as the file
    /// system splits it: a `/` followed by a combining mark is one `Character`, which would
    /// hide the separator from a `Character`-wise split (`../\u{301}x` escaping the folder).
    public static func isSafePath(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, !bytes.contains(0), !bytes.contains(UInt8(ascii: "\\")) else { return false }
        return pathComponents(path).allSatisfy { !$0.isEmpty && $0 != [0x2E] && $0 != [0x2E, 0x2E] }
    }

    /// The `/`-separated components of `path`, split on bytes (empty ones kept).
    static func pathComponents(_ path: String) -> [ArraySlice<UInt8>] {
        Array(path.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    }

    /// Whether an ETag is safe as a file name (hex digits and letters only).
    public static func isSafeETag(_ etag: String) -> Bool {
        !etag.isEmpty && etag.utf8.count <= 128 && etag.utf8.allSatisfy {
            ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == UInt8(ascii: "-")
        }
    }

    /// Whether modeld needs this file to serve the model: configuration, tokenizer and
    /// vocabulary files, and safetensors weights. Other formats' weights (`*.bin`, `*.onnx`,
    /// `*.h5`, ...) and export folders (`onnx/`, `openvino/`) are left on the hub.
    public static func isNeeded(path: String) -> Bool {
        let skippedFolders: Set<Substring> = ["onnx", "openvino", "coreml", "tf", "flax", "pytorch"]
        let components = path.split(separator: "/")
        if components.count > 1, let first = components.first, skippedFolders.contains(first) { return false }
        guard let name = components.last, let dot = name.lastIndex(of: ".") else { return false }
        let ext = name[name.index(after: dot)...].lowercased()
        return ["json", "txt", "safetensors", "model", "yaml"].contains(ext)
    }
}
