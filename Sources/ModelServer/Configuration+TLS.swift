public import HTTPServer

/// TLS settings: the pairing rule and the context they make.
extension Configuration {
    /// TLS needs both files; one without the other is a mistake worth stopping for, not a
    /// reason to fall back to plain HTTP silently.
    func checkTLSFilesPaired() throws(ConfigurationError) {
        switch (tlsCertificateFile, tlsKeyFile) {
        case (nil, nil), (.some, .some):
            return
        case (.some, nil):
            throw .invalidValue(key: "tls.key-file", source: .defaults,
                                problem: "is not set, but tls.certificate-file is; TLS needs both or neither")
        case (nil, .some):
            throw .invalidValue(key: "tls.certificate-file", source: .defaults,
                                problem: "is not set, but tls.key-file is; TLS needs both or neither")
        }
    }

    /// The TLS context of the configured certificate and key, or nil when TLS is off.
    /// Throws, naming the file and OpenSSL's reason, when either cannot be used.
    public func makeTLSContext() throws(TLSError) -> TLSContext? {
        guard let tlsCertificateFile, let tlsKeyFile else { return nil }
        return try TLSContext(certificateFile: tlsCertificateFile, keyFile: tlsKeyFile)
    }
}
