/// The HTTP/1 versions a request line may name (RFC 9112 §2.3).
///
/// `HTTP/1.x` with a minor version above 1 is treated as 1.1, since a minor version only
/// adds features a 1.1 recipient can ignore (RFC 9110 §6.2).
public enum HTTPVersion: Sendable, Equatable {
    case http1_0
    case http1_1
}
