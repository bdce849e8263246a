import CZlib

/// Inflates one client's permessage-deflate messages (RFC 7692 §7.2.2) with zlib's raw
/// inflate, frame by frame, with the output bounded while it is produced.
///
/// Policy: a compression bomb is caught while inflating: output is produced in steps that
/// never take the message past `maxOutputBytes + 1` bytes, so a tiny payload that would
/// inflate to gigabytes costs at most the limit before the connection is failed with 1009.
/// The window is kept across messages (client context takeover) unless
/// `client_no_context_takeover` was agreed; then the z_stream (about 40 KiB) is freed after
/// every message, so an idle connection holds no inflate memory. It is created lazily,
/// on the first compressed message. Not thread-safe: confine it to the connection's loop.
public final class Inflater {
    /// The z_stream, at a fixed address since zlib keeps a pointer back to it; nil until the
    /// first compressed message and after a message when no context is kept. Only this
    /// object's methods touch it, and `release()`/`deinit` end and free it.
    private var stream: UnsafeMutablePointer<z_stream>?
    /// Whether the sliding window survives from one message to the next.
    public let keepsContext: Bool
    /// Bytes produced so far for the current message.
    public private(set) var messageOutputBytes = 0
    /// Whether the current message's deflate stream ended with a BFINAL block, after which
    /// the rest of its payload is ignored (RFC 7692 §7.2.3.3).
    private var isStreamEnded = false

    /// How much output to make room for per inflate call, in bytes.
    private static let stepBytes = 64 << 10
    /// RFC 7692 §7.2.2: the receiver appends 0x00 0x00 0xff 0xff to a message's payload.
    private static let tail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

    /// An inflater for one connection; `keepsContext` is false when
    /// `client_no_context_takeover` was agreed.
    public init(keepsContext: Bool) {
        self.keepsContext = keepsContext
    }

    deinit { release() }

    /// Inflates one frame's payload of the current message, appending to `output`, which
    /// holds the message so far.
    /// - Throws: `.messageTooBig` once `output` would pass `maxOutputBytes`;
    ///   `.invalidCompressedData` if the payload is not a valid deflate stream.
    public func inflate(_ payload: [UInt8], into output: inout [UInt8], maxOutputBytes: Int) throws(WebSocketProtocolError) {
        let stream = try openStream()
        try payload.withUnsafeBytes { run(stream, input: $0, into: &output, maxOutputBytes: maxOutputBytes) }.get()
    }

    /// Ends the current message: inflates the implied 0x00 0x00 0xff 0xff tail, then resets
    /// (or frees) the state unless the window is kept.
    public func finishMessage(into output: inout [UInt8], maxOutputBytes: Int) throws(WebSocketProtocolError) {
        let stream = try openStream()
        try Self.tail.withUnsafeBytes { run(stream, input: $0, into: &output, maxOutputBytes: maxOutputBytes) }.get()
        messageOutputBytes = 0
        if isStreamEnded {
            // After a BFINAL block a new deflate stream starts; zlib needs a reset for it.
            inflateReset(stream)
            isStreamEnded = false
        }
        if !keepsContext { release() }
    }

    /// Frees the z_stream; the next message starts a fresh one.
    public func release() {
        guard let stream else { return }
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        self.stream = nil
        isStreamEnded = false
    }

    /// The z_stream, created on first use with a 15-bit window, which inflates any window
    /// size a client may use (RFC 7692 §7.1.2.2).
    private func openStream() throws(WebSocketProtocolError) -> UnsafeMutablePointer<z_stream> {
        if let stream { return stream }
        let created = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        created.initialize(to: z_stream())
        let status = inflateInit2_(created, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        // Only memory exhaustion can fail here; it ends this connection, not the server.
        guard status == Z_OK else {
            created.deinitialize(count: 1)
            created.deallocate()
            throw .invalidCompressedData
        }
        stream = created
        return created
    }

    /// Feeds `input` to zlib until it is consumed and all output is flushed; a `Result`
    /// because `withUnsafeBytes` cannot pass a typed error through.
    private func run(
        _ stream: UnsafeMutablePointer<z_stream>, input: UnsafeRawBufferPointer,
        into output: inout [UInt8], maxOutputBytes: Int
    ) -> Result<Void, WebSocketProtocolError> {
        do throws(WebSocketProtocolError) {
            try step(stream, input: input, into: &output, maxOutputBytes: maxOutputBytes)
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// Inflates `input` a step at a time until it is consumed and all output is flushed.
    private func step(
        _ stream: UnsafeMutablePointer<z_stream>, input: UnsafeRawBufferPointer,
        into output: inout [UInt8], maxOutputBytes: Int
    ) throws(WebSocketProtocolError) {
        guard !isStreamEnded, !input.isEmpty else { return }
        // next_in points into `input` only during this call; inflate never writes through it.
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        defer { stream.pointee.next_in = nil }
        while true {
            // One byte past the limit is enough to know the limit was passed.
            let room = min(Self.stepBytes, maxOutputBytes + 1 - output.count)
            guard room > 0 else { throw .messageTooBig }
            var status = Z_OK
            var left = 0
            let chunk = [UInt8](unsafeUninitializedCapacity: room) { buffer, count in
                // next_out points into the new array's storage only during this closure.
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = uInt(room)
                status = CZlib.inflate(stream, Z_SYNC_FLUSH)
                left = Int(stream.pointee.avail_out)
                count = room - left
                stream.pointee.next_out = nil
            }
            output.append(contentsOf: chunk)
            messageOutputBytes += chunk.count
            switch status {
            case Z_STREAM_END:
                if output.count > maxOutputBytes { throw .messageTooBig }
                isStreamEnded = true
                return
            case Z_OK, Z_BUF_ERROR:
                if output.count > maxOutputBytes { throw .messageTooBig }
                // Done when the input is used up and zlib did not fill the space it had.
                if stream.pointee.avail_in == 0 && left > 0 { return }
                // Z_BUF_ERROR with space left means no progress was possible at all.
                if status == Z_BUF_ERROR && left > 0 { return }
            default:
                throw .invalidCompressedData
            }
        }
    }
}

@available(*, unavailable)
extension Inflater: Sendable {}
