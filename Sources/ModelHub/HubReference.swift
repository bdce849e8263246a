/// A model on a hub: `hf://ORG/NAME[@REVISION]`, parsed and checked.
///
/// The repository id follows the hub's rules (letters, digits, `-`, `_`, `.`; no `--` or
/// `..`, no leading or trailing `-`/`.`; at most 96 characters per part), so it can never
/// escape the cache folder it names. The revision is a branch, a tag or a 40-hex commit; it
/// defaults to `main`.
public struct HubReference: Sendable, Equatable, CustomStringConvertible {
    /// The owner: a user or an organisation (`sentence-transformers`).
    public let organization: String
    /// The repository's name (`all-MiniLM-L6-v2`).
    public let name: String
    /// The branch, tag or commit asked for (`main` by default).
    public let revision: String

    /// The URL scheme of a hub reference.
    public static let scheme = "hf://"
    /// The revision used when none is given.
    public static let defaultRevision = "main"

    /// `ORG/NAME`, as the hub's URLs spell it.
    public var repositoryID: String { "\(organization)/\(name)" }

    /// `hf://ORG/NAME@REV`.
    public var description: String { "\(Self.scheme)\(repositoryID)@\(revision)" }

    /// Whether the revision is a full commit hash (then no `refs/` entry is needed).
    public var revisionIsCommit: Bool { Self.isCommitHash(revision) }

    /// Creates a reference from its parts, checking each one.
    public init(organization: String, name: String, revision: String = defaultRevision) throws(HubError) {
        guard Self.isValidPart(organization), Self.isValidPart(name) else {
            throw .invalidReference("\(organization)/\(name)", reason: "expected ORG/NAME of letters, digits, '-', '_', '.'")
        }
        guard Self.isValidRevision(revision) else {
            throw .invalidReference(revision, reason: "bad revision (a branch, tag or commit without spaces, '..' or control characters)")
        }
        self.organization = organization
        self.name = name
        self.revision = revision
    }

    /// Parses `hf://ORG/NAME[@REV]`.
    public init(parsing text: String) throws(HubError) {
        guard text.hasPrefix(Self.scheme) else {
            throw .invalidReference(text, reason: "expected hf://ORG/NAME[@REVISION]")
        }
        let rest = text.dropFirst(Self.scheme.count)
        let (path, revision): (Substring, Substring?)
        if let at = rest.firstIndex(of: "@") {
            (path, revision) = (rest[..<at], rest[rest.index(after: at)...])
        } else {
            (path, revision) = (rest, nil)
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .invalidReference(text, reason: "expected hf://ORG/NAME[@REVISION]")
        }
        if let revision, revision.isEmpty {
            throw .invalidReference(text, reason: "empty revision after '@'")
        }
        do throws(HubError) {
            try self.init(organization: String(parts[0]), name: String(parts[1]),
                          revision: revision.map(String.init) ?? Self.defaultRevision)
        } catch {
            throw .invalidReference(text, reason: error.reason)
        }
    }

    /// Whether `text` is 40 lower-case hex digits.
    public static func isCommitHash(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    private static func isValidPart(_ part: String) -> Bool {
        let bytes = Array(part.utf8)
        guard !bytes.isEmpty, bytes.count <= 96 else { return false }
        let allowed = bytes.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        let edges: Set<UInt8> = [UInt8(ascii: "-"), UInt8(ascii: ".")]
        return allowed && !edges.contains(bytes[0]) && !edges.contains(bytes[bytes.count - 1])
            && !zip(bytes, bytes.dropFirst()).contains { ($0 == 0x2D && $1 == 0x2D) || ($0 == 0x2E && $1 == 0x2E) }
    }

    private static func isValidRevision(_ revision: String) -> Bool {
        let bytes = Array(revision.utf8)
        let hasDotDot = zip(bytes, bytes.dropFirst()).contains { $0 == 0x2E && $1 == 0x2E }
        guard !bytes.isEmpty, bytes.count <= 256, !hasDotDot, bytes[0] != UInt8(ascii: "/") else {
            return false
        }
        return bytes.allSatisfy { $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
    }
}
