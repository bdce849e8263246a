import COpenSSL

/// Building and configuring an `SSL_CTX` (the policies are listed on `TLSContext`).
extension TLSContext {
    /// The one application protocol we speak, in ALPN's wire form (RFC 7301 §3.1).
    static let http11 = Array("http/1.1".utf8)

    /// A configured server context with the certificate chain and key loaded and checked
    /// against each other. Nothing leaks on failure.
    static func makeContext(certificateFile: String, keyFile: String) throws(TLSError) -> OpaquePointer {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw .contextSetupFailed(reason: openSSLReason()) }
        do throws(TLSError) {
            try configure(context)
            try loadCertificateAndKey(into: context, certificateFile: certificateFile, keyFile: keyFile)
        } catch {
            SSL_CTX_free(context)
            throw error
        }
        return context
    }

    private static func configure(_ context: OpaquePointer) throws(TLSError) {
        // RFC 8996: TLS 1.0 and 1.1 are deprecated; 1.2 is the oldest we speak.
        guard copenssl_ctx_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw .contextSetupFailed(reason: openSSLReason())
        }
        // Client-initiated renegotiation is a denial-of-service lever and never needed here.
        SSL_CTX_set_options(context, copenssl_op_no_renegotiation() | copenssl_op_ignore_unexpected_eof())
        // Partial writes: SSL_write returns after each record, like send(2) after a short
        // write. Moving buffers: a retried write may come from a reallocated array.
        // Released buffers: idle connections give their record buffers back.
        _ = copenssl_ctx_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
                                                 | SSL_MODE_RELEASE_BUFFERS))
        SSL_CTX_set_alpn_select_cb(context, { _, out, outLength, offered, offeredLength, _ in
            TLSContext.selectHTTP11(out: out, outLength: outLength, offered: offered, offeredLength: offeredLength)
        }, nil)
    }

    private static func loadCertificateAndKey(into context: OpaquePointer, certificateFile: String,
                                              keyFile: String) throws(TLSError) {
        guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else {
            throw .unreadableCertificate(path: certificateFile, reason: openSSLReason())
        }
        // The key is parsed on its own first, so an unreadable key is told apart from one
        // that does not match. The password callback refuses: an encrypted key must not make
        // start-up wait for a prompt on the terminal.
        guard let file = BIO_new_file(keyFile, "r") else { throw .unreadableKey(path: keyFile, reason: openSSLReason()) }
        let key = PEM_read_bio_PrivateKey(file, nil, { _, _, _, _ in 0 }, nil)
        BIO_free(file)
        guard let key else { throw .unreadableKey(path: keyFile, reason: "no usable PEM private key (\(openSSLReason()))") }
        defer { EVP_PKEY_free(key) }
        guard SSL_CTX_use_PrivateKey(context, key) == 1, SSL_CTX_check_private_key(context) == 1 else {
            throw .keyMismatch(certificatePath: certificateFile, keyPath: keyFile, reason: openSSLReason())
        }
    }

    /// The ALPN choice (RFC 7301 §3.2): `http/1.1` if offered, else the fatal
    /// `no_application_protocol` alert. `out` points into the client's list, which OpenSSL
    /// copies before the callback's buffer goes away.
    static func selectHTTP11(out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, outLength: UnsafeMutablePointer<UInt8>?,
                             offered: UnsafePointer<UInt8>?, offeredLength: UInt32) -> Int32 {
        guard let out, let outLength, let offered else { return SSL_TLSEXT_ERR_ALERT_FATAL }
        let list = UnsafeBufferPointer(start: offered, count: Int(offeredLength))
        var index = 0
        while index < list.count {
            let length = Int(list[index])
            let start = index + 1
            guard start + length <= list.count else { break }
            if length == http11.count && UnsafeBufferPointer(rebasing: list[start..<(start + length)]).elementsEqual(http11) {
                out.pointee = offered + start
                outLength.pointee = UInt8(length)
                return SSL_TLSEXT_ERR_OK
            }
            index = start + length
        }
        return SSL_TLSEXT_ERR_ALERT_FATAL
    }

    /// The reason string of the oldest (most specific) error in this thread's OpenSSL error
    /// queue, such as `No such file or directory` or `key values mismatch`; empties the queue.
    static func openSSLReason() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            // `error:CODE:library:function:reason`: the reason is what an operator can act on.
            let full = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let reason = full.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false).last.map(String.init) ?? full
            reasons.append(reason)
        }
        return reasons.first ?? "unknown OpenSSL error"
    }
}
