public import CLinux
public import EventLoop

/// How one connection's bytes move: straight through the socket, or through TLS. Chosen
/// once, when the connection is accepted, and carried across an upgrade (`UpgradedSocket`).
///
/// An enum, not a protocol, so the plain path costs a branch and nothing else: no
/// existential box, no allocation, no extra system call (the keep-alive probe path stays
/// allocation-free). Every method takes the socket because the plain case has no storage.
///
/// The readiness contract for callers: call `interest(for:)` on the events you want before
/// registering them, and read when `shouldRead(on:)` says so. Both only differ from the
/// plain answer while TLS needs the other direction to make progress (a handshake message
/// to send while reading, or one to receive while writing).
public enum ConnectionTransport {
    /// Plain TCP.
    case plain
    /// TLS over the socket (HTTPS, WSS).
    case tls(TLSTransport)

    /// Reads into `buffer`. A short read means the source is drained: TLS keeps reading
    /// until the buffer is full or the socket is, since records already decrypted inside
    /// OpenSSL would not wake epoll again.
    @inline(__always)
    public func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> IOResult {
        switch self {
        case .plain: try SocketCalls.read(fd, into: buffer)
        case .tls(let tls): try tls.read(fd, into: buffer)
        }
    }

    /// Writes a prefix of `buffer`; may write fewer bytes than given.
    @inline(__always)
    public func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SocketError) -> IOResult {
        switch self {
        case .plain: try SocketCalls.write(fd, buffer)
        case .tls(let tls): try tls.write(fd, buffer)
        }
    }

    /// Writes a prefix of the concatenation of the buffers `vectors` point at: one `sendmsg`
    /// for plain TCP, one `SSL_write` per buffer (per record) for TLS.
    public func writev(_ fd: Int32, _ vectors: UnsafeMutableBufferPointer<iovec>) throws(SocketError) -> IOResult {
        switch self {
        case .plain:
            return try SocketCalls.writev(fd, vectors)
        case .tls(let tls):
            return try tls.writev(fd, vectors)
        }
    }

    /// Whether bytes the caller counted as written still wait inside the transport (TLS
    /// keeps the record a blocked `SSL_write` took); keep `.writable` armed while true.
    @inline(__always)
    public var hasPendingOutput: Bool {
        switch self {
        case .plain: false
        case .tls(let tls): tls.hasPendingOutput
        }
    }

    /// Writes what `hasPendingOutput` reports; true once nothing is left.
    public func flushPendingOutput(_ fd: Int32) throws(SocketError) -> Bool {
        switch self {
        case .plain: true
        case .tls(let tls): try tls.flushPendingOutput()
        }
    }

    /// The poll interest to register when the connection itself wants `wanted`.
    @inline(__always)
    public func interest(for wanted: PollEvents) -> PollEvents {
        switch self {
        case .plain: wanted
        case .tls(let tls): tls.interest(for: wanted)
        }
    }

    /// Whether a readiness event should lead to a read.
    @inline(__always)
    public func shouldRead(on events: PollEvents) -> Bool {
        switch self {
        case .plain: events.contains(.readable) || events.contains(.hangup)
        case .tls(let tls): tls.shouldRead(on: events)
        }
    }

    /// Whether input waits inside the transport although the socket may be empty (TLS: part
    /// of a record past the end of a full read buffer). A reader that stops before a short
    /// read must come back without waiting for epoll while this is true.
    @inline(__always)
    public var hasBufferedInput: Bool {
        switch self {
        case .plain: false
        case .tls(let tls): tls.hasBufferedInput
        }
    }

    /// Whether responses travel encrypted: TLS, unless a plain-text client connected to the
    /// TLS port (it gets its `400 tls_required` in plain text).
    @inline(__always)
    public var isEncrypted: Bool {
        switch self {
        case .plain: false
        case .tls(let tls): !tls.isPlainTextPeer
        }
    }

    /// Whether a plain-text client connected to a TLS port (see `TLSTransport`).
    @inline(__always)
    public var isPlainTextPeer: Bool {
        switch self {
        case .plain: false
        case .tls(let tls): tls.isPlainTextPeer
        }
    }

    /// Stops sending before a half-close: TLS sends `close_notify` (best effort, once).
    public func shutdownWrite(_ fd: Int32) {
        if case .tls(let tls) = self { tls.sendCloseNotify() }
    }

    /// Ends the transport when the connection closes (the socket itself is closed by the
    /// loop): TLS sends `close_notify` once without waiting for the answer, then frees the
    /// session.
    public func close() {
        if case .tls(let tls) = self { tls.close() }
    }
}

@available(*, unavailable)
extension ConnectionTransport: Sendable {}
