import CLinux
import COpenSSL
import EventLoop
#if canImport(Glibc)
import Glibc
#endif

/// Writing, the outcome of a failed OpenSSL call, and closing.
extension TLSTransport {
    /// What an `SSL_read`/`SSL_write` that returned `<= 0` is waiting for.
    enum Outcome {
        case wantsReadable
        case wantsWritable
        case endOfStream
    }

    /// Writes up to one record of `buffer`.
    ///
    /// When the socket is full, OpenSSL has already sealed the record and must be offered the
    /// same bytes again. The caller's queue may since have replaced them (a coalesced
    /// progress event), so the record's plaintext is copied into `pendingOutput` and counted
    /// as written; later writes send it first, and `hasPendingOutput` keeps `.writable`
    /// armed until it is out. The stream on the wire therefore never mixes two versions.
    func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SocketError) -> IOResult {
        switch phase {
        case .plainTextPeer: return try SocketCalls.write(fd, buffer)
        case .closed: throw SocketError("SSL_write", errno: EBADF)
        case .awaitingFirstByte, .tls: break
        }
        guard try flushPendingOutput() else { return .wouldBlock }
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return .transferred(0) }
        let length = min(buffer.count, Self.maxRecordBytes)
        let count = SSL_write(ssl, base, Int32(length))
        if count > 0 { return .transferred(Int(count)) }
        switch try outcome(of: count, operation: "SSL_write") {
        case .wantsWritable:
            pendingOutput.removeAll(keepingCapacity: true)
            pendingOutput.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<length]))
            pendingOutputSent = 0
            return .transferred(length)
        case .wantsReadable:
            writeWantsReadable = true
            return .wouldBlock
        case .endOfStream:
            throw SocketError("SSL_write", errno: EPIPE)
        }
    }

    /// Writes `buffers` in order, record by record, until all are written or the socket is
    /// full; the count covers whole and partial buffers alike.
    func writev(_ fd: Int32, _ vectors: UnsafeMutableBufferPointer<iovec>) throws(SocketError) -> IOResult {
        var total = 0
        for vector in vectors {
            let buffer = UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len)
            var offset = 0
            while offset < buffer.count {
                switch try write(fd, UnsafeRawBufferPointer(rebasing: buffer[offset...])) {
                case .transferred(let count):
                    offset += count
                    total += count
                case .wouldBlock, .endOfStream:
                    return total > 0 ? .transferred(total) : .wouldBlock
                }
            }
        }
        return .transferred(total)
    }

    /// Sends what a blocked write left in `pendingOutput`; true once nothing is left.
    func flushPendingOutput() throws(SocketError) -> Bool {
        writeWantsReadable = false
        while pendingOutputSent < pendingOutput.count {
            let count = pendingOutput.withUnsafeBytes { bytes in
                SSL_write(ssl, bytes.baseAddress! + pendingOutputSent, Int32(bytes.count - pendingOutputSent))
            }
            if count > 0 {
                pendingOutputSent += Int(count)
                continue
            }
            switch try outcome(of: count, operation: "SSL_write") {
            case .wantsWritable: return false
            case .wantsReadable:
                writeWantsReadable = true
                return false
            case .endOfStream: throw SocketError("SSL_write", errno: EPIPE)
            }
        }
        if !pendingOutput.isEmpty {
            pendingOutput = []
            pendingOutputSent = 0
        }
        return true
    }

    /// Classifies a failed call; a broken session or socket is an error. Empties this
    /// thread's OpenSSL error queue, which `SSL_get_error` requires to be clean.
    func outcome(of result: Int32, operation: String) throws(SocketError) -> Outcome {
        let savedErrno = clinux_errno()
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wantsReadable
        case SSL_ERROR_WANT_WRITE: return .wantsWritable
        case SSL_ERROR_ZERO_RETURN: return .endOfStream
        case SSL_ERROR_SYSCALL:
            ERR_clear_error()
            if savedErrno == 0 { return .endOfStream }
            throw SocketError(operation, errno: savedErrno)
        default:
            // SSL_ERROR_SSL: a failed handshake or a corrupt record. The alert has been sent.
            ERR_clear_error()
            throw SocketError(operation, errno: EPROTO)
        }
    }

    /// Sends `close_notify` once (RFC 8446 §6.1), without waiting for the peer's, and only on
    /// an established session; a socket too full to take it just closes.
    func sendCloseNotify() {
        guard phase == .tls, !sentCloseNotify, SSL_is_init_finished(ssl) == 1 else { return }
        sentCloseNotify = true
        if SSL_shutdown(ssl) < 0 { ERR_clear_error() }
    }

    /// Sends `close_notify` if it was not sent yet, then frees the session.
    func close() {
        guard phase != .closed else { return }
        sendCloseNotify()
        SSL_free(ssl)
        phase = .closed
        pendingOutput = []
        pendingOutputSent = 0
    }
}
