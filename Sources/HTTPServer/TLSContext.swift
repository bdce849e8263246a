import COpenSSL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The server's TLS configuration: one OpenSSL `SSL_CTX` made from a PEM certificate chain
/// file and a PEM private key file, shared by every loop of a `Server`.
///
/// Policies (see `makeContext` for the OpenSSL calls):
/// - TLS 1.2 is the minimum (RFC 8996 deprecates 1.0 and 1.1); renegotiation is refused.
/// - ALPN (RFC 7301): `http/1.1` is selected when the client offers it; a client that offers
///   ALPN without `http/1.1` (say only `h2`) gets the fatal `no_application_protocol` alert
///   that RFC 7301 §3.2 requires; a client that offers no ALPN at all is served HTTP/1.1.
/// - Partial writes, moving write buffers and released idle buffers (`SSL_MODE_*`), so an
///   idle WSS connection keeps no 16 KiB record buffers.
/// - A peer that closes TCP without `close_notify` is treated like a plain end of stream
///   (`SSL_OP_IGNORE_UNEXPECTED_EOF`): HTTP framing, not TLS, tells a complete message.
///
/// `reload(certificateFile:keyFile:)` builds a new `SSL_CTX` and swaps it in: connections
/// accepted afterwards use it; open ones keep theirs (each `SSL` holds a reference to its
/// context). A failed reload keeps the old context.
///
/// Creating a context sets `SIGPIPE` to ignored for the process: OpenSSL's socket BIO writes
/// with `write(2)`, not `send(MSG_NOSIGNAL)`, so a peer that went away would otherwise kill
/// the daemon.
public final class TLSContext: Sendable {
    /// The current `SSL_CTX`; the mutex also serialises `SSL_new` against a swap, so the
    /// context a new session refers to is never freed under it.
    private let current: Mutex<ContextPointer>

    /// Builds a context from `certificateFile` (PEM, leaf first, then intermediates) and
    /// `keyFile` (PEM, unencrypted).
    public init(certificateFile: String, keyFile: String) throws(TLSError) {
        signal(SIGPIPE, SIG_IGN)
        current = Mutex(try ContextPointer(Self.makeContext(certificateFile: certificateFile, keyFile: keyFile)))
    }

    deinit {
        current.withLock { SSL_CTX_free($0.pointer) }
    }

    /// Re-reads both files into a new context and uses it for new connections. On failure
    /// the current context stays in use and the error says why.
    public func reload(certificateFile: String, keyFile: String) throws(TLSError) {
        let fresh = try ContextPointer(Self.makeContext(certificateFile: certificateFile, keyFile: keyFile))
        let old = current.withLock { state in
            defer { state = fresh }
            return state
        }
        // Open connections hold their own references; this drops only the context's own.
        SSL_CTX_free(old.pointer)
    }

    /// A new server-side `SSL` for one accepted connection, bound to the current context;
    /// nil if OpenSSL could not allocate it.
    func makeSession() -> SessionPointer? {
        current.withLock { state in SSL_new(state.pointer).map(SessionPointer.init) }
    }
}

/// An owned `SSL_CTX *`.
///
/// `@unchecked Sendable`, safe because an `SSL_CTX` is safe to share between threads once
/// configured (OpenSSL 3 locks its reference count and session cache internally), and this
/// one is fully configured by `makeContext` before the pointer is wrapped; afterwards only
/// `SSL_new`, `SSL_CTX_free` and reference counting touch it.
struct ContextPointer: @unchecked Sendable {  // safe because: see the comment above
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }
}

/// A fresh `SSL *` on its way from `TLSContext.makeSession` to the one connection (and loop
/// thread) that will own it.
///
/// `@unchecked Sendable`, safe because the session is created inside the context's lock and
/// handed to exactly one owner, `TLSTransport`, which confines it to its loop; nothing else
/// keeps the pointer.
struct SessionPointer: @unchecked Sendable {  // safe because: see the comment above
    let pointer: OpaquePointer
}
