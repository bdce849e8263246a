/// The HTTP/1 versions a request line may name (RFC 9112 §2.3).
///
/// `HTTP/1.x` with a minor version above 1 is treated as 1.1, since a minor version only
/// adds features a 1.1 recipient can ignore (RFC 9110 §6.2).
public enum HTTPVersion: Sendable, Equatable {
    /// `HTTP/1.0`: connections close after each response unless the client asks otherwise.
    case http1_0
    /// `HTTP/1.1`, and any later `HTTP/1.x`.
    case http1_1
}
