/// Why a pull failed, as a stable code (the API's `error`) plus a sentence for people.
public enum HubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `hf://...` text that is not a valid reference.
    case invalidReference(String, reason: String)
    /// The hub answered 404 for the repository, revision or file (`hub_not_found`).
    case notFound(String)
    /// The hub answered 401 or 403: a token is missing, wrong or lacks access (`hub_unauthorized`).
    case unauthorized(String)
    /// A transfer failed: an unexpected HTTP status or a socket error, after the retries
    /// (`download_failed`).
    case downloadFailed(String)
    /// Offline (or the hub unreachable) and the cache lacks the model or file (`not_in_cache`).
    case notInCache(String)
    /// A downloaded file's SHA-256 differs from the hub's `lfs.oid`; the blob was discarded
    /// (`digest_mismatch`).
    case digestMismatch(file: String, expected: String, actual: String)
    /// The cache's file system lacks room for the download (`insufficient_disk`).
    case insufficientDisk(needed: Int64, available: Int64)
    /// The cache could not be written (`cache_error`).
    case cacheError(String)
    /// The pull was cancelled; partial blobs are kept for a later resume (`cancelled`).
    case cancelled

    /// The machine-readable code.
    public var code: String {
        switch self {
        case .invalidReference: "invalid_reference"
        case .notFound: "hub_not_found"
        case .unauthorized: "hub_unauthorized"
        case .downloadFailed: "download_failed"
        case .notInCache: "not_in_cache"
        case .digestMismatch: "digest_mismatch"
        case .insufficientDisk: "insufficient_disk"
        case .cacheError: "cache_error"
        case .cancelled: "cancelled"
        }
    }

    /// What went wrong, for a person.
    public var reason: String {
        switch self {
        case .invalidReference(let text, let reason): "\(String(reflecting: text)): \(reason)"
        case .notFound(let what): "not found on the hub: \(what)"
        case .unauthorized(let what): "the hub refused access (401/403; check hub.token-file or HF_TOKEN): \(what)"
        case .downloadFailed(let what): what
        case .notInCache(let what): "not in the hub cache (offline): \(what)"
        case .digestMismatch(let file, let expected, let actual):
            "\(file): SHA-256 \(actual) differs from the hub's \(expected); the download was discarded"
        case .insufficientDisk(let needed, let available):
            "the hub cache needs \(needed) more bytes but its file system has \(available) free"
        case .cacheError(let what): what
        case .cancelled: "cancelled"
        }
    }

    /// `code: reason`.
    public var description: String { "\(code): \(reason)" }
}
