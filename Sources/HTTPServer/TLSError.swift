/// Why a TLS context could not be built from its certificate and key files, as a closed set.
///
/// These are start-up (and reload) errors for the operator, never sent to a client: each
/// names the file at fault and carries OpenSSL's reason string. A failed handshake is not
/// a `TLSError`; it quietly closes that one connection.
public enum TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The certificate chain file cannot be read or holds no usable PEM certificate.
    case unreadableCertificate(path: String, reason: String)
    /// The private key file cannot be read or holds no usable PEM key.
    case unreadableKey(path: String, reason: String)
    /// The key does not belong to the certificate (`SSL_CTX_check_private_key`).
    case keyMismatch(certificatePath: String, keyPath: String, reason: String)
    /// OpenSSL could not make or configure a context (out of memory, broken library).
    case contextSetupFailed(reason: String)

    /// `TLS certificate file /etc/modeld/cert.pem: No such file or directory`.
    public var description: String {
        switch self {
        case .unreadableCertificate(let path, let reason):
            "TLS certificate file \(path): \(reason)"
        case .unreadableKey(let path, let reason):
            "TLS key file \(path): \(reason)"
        case .keyMismatch(let certificatePath, let keyPath, let reason):
            "TLS key file \(keyPath) does not match certificate file \(certificatePath): \(reason)"
        case .contextSetupFailed(let reason):
            "TLS context setup failed: \(reason)"
        }
    }
}
