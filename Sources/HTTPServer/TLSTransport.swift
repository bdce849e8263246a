import CLinux
import COpenSSL
import EventLoop
#if canImport(Glibc)
import Glibc
#endif

/// One connection's TLS session on a non-blocking socket, confined to its loop.
///
/// - The handshake is driven lazily: the first `SSL_read` (or `SSL_write`) runs it, and
///   `WANT_READ`/`WANT_WRITE` become `.wouldBlock` plus the readiness the session waits for
///   (`interest(for:)`, `shouldRead(on:)`), so a handshake never blocks the loop.
/// - Plain HTTP on the TLS port: before the handshake the first byte is peeked; if it is not
///   a TLS handshake record (RFC 8446 §5.1: content type 22) the connection stays plain text
///   so HTTP can answer `400 tls_required` readably and close, as nginx does with its 497.
/// - A failed handshake is a read error: the connection closes without a word in the log.
/// - Closing sends `close_notify` once, best effort, without waiting for the peer's.
public final class TLSTransport {
    enum Phase {
        /// Nothing read yet: the first byte decides between TLS and a plain-text peer.
        case awaitingFirstByte
        /// Speaking TLS (handshaking or established).
        case tls
        /// A plain-text client on the TLS port: bytes move unencrypted until the rejection
        /// has been sent and the socket closes.
        case plainTextPeer
        /// The session was freed.
        case closed
    }

    /// The record size cap of each `SSL_write` (RFC 8446 §5.1: 2^14 plaintext bytes). One
    /// record per call keeps what a blocked write has taken within `pendingOutput`'s copy.
    static let maxRecordBytes = 16 * 1024

    let fd: Int32
    let ssl: OpaquePointer
    var phase = Phase.awaitingFirstByte
    /// The last read stopped because OpenSSL must send first (handshake, key update).
    var readWantsWritable = false
    /// The last write stopped because OpenSSL must receive first (handshake).
    var writeWantsReadable = false
    var sentCloseNotify = false
    /// Bytes a blocked `SSL_write` took into a record: OpenSSL requires the retry to offer
    /// the same bytes, and the caller's queue may have moved on, so they are kept here and
    /// reported as written (see `write`).
    var pendingOutput: [UInt8] = []
    var pendingOutputSent = 0

    init(session: SessionPointer, fd: Int32) {
        ssl = session.pointer
        self.fd = fd
        SSL_set_fd(ssl, fd)
        SSL_set_accept_state(ssl)
    }

    deinit {
        if phase != .closed { SSL_free(ssl) }
    }

    var isPlainTextPeer: Bool { phase == .plainTextPeer }

    var hasPendingOutput: Bool { pendingOutputSent < pendingOutput.count }

    var hasBufferedInput: Bool { phase == .tls && SSL_has_pending(ssl) == 1 }

    /// The protocol ALPN selected, if any (`http/1.1`); nil before the handshake completed.
    public var negotiatedProtocol: String? {
        guard phase == .tls else { return nil }
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    func interest(for wanted: PollEvents) -> PollEvents {
        var interest = wanted
        // A read that waits to send matters only while the caller wants to read: a
        // connection paused for backpressure would otherwise wake on every writable event.
        if readWantsWritable && wanted.contains(.readable) { interest.insert(.writable) }
        if writeWantsReadable {
            interest.insert(.readable)
            // Writable would fire at once and forever: the write waits for input instead.
            if !readWantsWritable { interest.remove(.writable) }
        }
        return interest
    }

    func shouldRead(on events: PollEvents) -> Bool {
        events.contains(.readable) || events.contains(.hangup) || (readWantsWritable && events.contains(.writable))
    }

    /// Reads decrypted bytes until `buffer` is full or the socket has nothing more.
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> IOResult {
        if phase == .awaitingFirstByte {
            var first: UInt8 = 0
            let peeked = try peek(into: &first)
            guard case .transferred = peeked else { return peeked }
            phase = first == 0x16 ? .tls : .plainTextPeer
        }
        switch phase {
        case .plainTextPeer: return try SocketCalls.read(fd, into: buffer)
        case .closed: throw SocketError("SSL_read", errno: EBADF)
        case .awaitingFirstByte, .tls: break
        }
        readWantsWritable = false
        guard let base = buffer.baseAddress else { return .transferred(0) }
        var total = 0
        while total < buffer.count {
            let count = SSL_read(ssl, base + total, Int32(clamping: buffer.count - total))
            if count > 0 {
                total += Int(count)
                continue
            }
            let outcome = try outcome(of: count, operation: "SSL_read")
            if outcome == .wantsWritable { readWantsWritable = true }
            if total > 0 { return .transferred(total) }
            return outcome == .endOfStream ? .endOfStream : .wouldBlock
        }
        return .transferred(total)
    }

    /// Peeks at the first byte without consuming it (one `recv(MSG_PEEK)` per connection).
    private func peek(into byte: inout UInt8) throws(SocketError) -> IOResult {
        while true {
            let count = recv(fd, &byte, 1, Int32(MSG_PEEK))
            if count > 0 { return .transferred(count) }
            if count == 0 { return .endOfStream }
            let code = clinux_errno()
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SocketError("recv", errno: code)
            }
        }
    }
}

@available(*, unavailable)
extension TLSTransport: Sendable {}
