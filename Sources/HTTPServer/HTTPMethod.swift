/// A request method (RFC 9110 §9).
///
/// The common methods are cases, so parsing them never allocates; any other valid token
/// (`CONNECT`, `TRACE`, extension methods) is `.other` with its exact spelling. Methods are
/// case-sensitive (RFC 9110 §9.1): `get` is `.other("get")`, not `.get`.
public enum HTTPMethod: Sendable, Hashable {
    /// A common method (RFC 9110 §9.3; PATCH is RFC 5789).
    case get, head, post, put, delete, options, patch
    /// Any other valid method token, spelled exactly as received.
    case other(String)

    /// The method as it appears on the wire.
    public var name: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        case .patch: "PATCH"
        case .other(let name): name
        }
    }

    /// The method spelled by `bytes`, which the caller has checked is a non-empty token.
    init(token bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 3 where HTTPSyntax.equals(bytes, "GET"): self = .get
        case 3 where HTTPSyntax.equals(bytes, "PUT"): self = .put
        case 4 where HTTPSyntax.equals(bytes, "HEAD"): self = .head
        case 4 where HTTPSyntax.equals(bytes, "POST"): self = .post
        case 5 where HTTPSyntax.equals(bytes, "PATCH"): self = .patch
        case 6 where HTTPSyntax.equals(bytes, "DELETE"): self = .delete
        case 7 where HTTPSyntax.equals(bytes, "OPTIONS"): self = .options
        default: self = .other(String(decoding: bytes, as: UTF8.self))
        }
    }
}
