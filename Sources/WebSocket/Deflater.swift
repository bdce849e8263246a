import CZlib

/// Compresses whole messages for permessage-deflate (RFC 7692 §7.2.1) with zlib's raw
/// deflate, each message on its own: the server always negotiates
/// `server_no_context_takeover`, so a message never refers to an earlier one.
///
/// Policy: because no history is kept, one `Deflater` serves every connection of a loop
/// that agreed the same `server_max_window_bits`, and a broadcast is compressed once and
/// its bytes shared by all subscribers (DESIGN §1.4). The z_stream (about 256 KiB with the
/// defaults) lives as long as the object and is released by `deinit`. Not thread-safe:
/// confine it to one thread.
public final class Deflater {
    /// The z_stream, at a fixed address: zlib keeps a pointer back to it in its state, so
    /// it must never move. Allocated and initialised in `init`, ended and freed in `deinit`,
    /// and touched only by this object's methods.
    private let stream: UnsafeMutablePointer<z_stream>
    /// The LZ77 window size as a power of two, 9...15.
    public let windowBits: Int

    /// A deflater with a window of 2^`windowBits` bytes (9...15; zlib cannot write a raw
    /// stream with an 8-bit window), compression `level` 1...9 (default 6, zlib's
    /// default) and zlib `memoryLevel` 1...9 (default 8).
    public init(windowBits: Int = 15, level: Int = 6, memoryLevel: Int = 8) {
        precondition((9...15).contains(windowBits), "raw deflate needs 9...15 window bits")
        precondition((1...9).contains(level) && (1...9).contains(memoryLevel), "zlib level out of range")
        self.windowBits = windowBits
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // Negative window bits select a raw stream: no zlib header or trailer (RFC 7692 §7.2.1).
        let status = deflateInit2_(
            stream, Int32(level), Z_DEFLATED, -Int32(windowBits), Int32(memoryLevel),
            Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        // Only a bad parameter (ruled out above) or no memory can fail here.
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// The compressed payload of one message, ready for a frame with RSV1 set.
    ///
    /// RFC 7692 §7.2.1: compress with a sync flush and remove the trailing 0x00 0x00 0xff 0xff
    /// (an empty message compresses to the single byte 0x00).
    public func compress(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { compress($0) }
    }

    /// The compressed payload of the message in `message`.
    public func compress(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        defer { deflateReset(stream) }
        var output: [UInt8] = []
        // deflateBound is for a finished stream; a sync flush adds at most the 5-byte empty
        // stored block, so the first pass nearly always suffices.
        var chunkBytes = Int(deflateBound(stream, uLong(message.count))) + 16
        // next_in points into `message` only during this call; zlib never writes through
        // it (the pointer type is mutable only for historical reasons).
        stream.pointee.next_in = UnsafeMutablePointer(mutating: message.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(message.count)
        defer { stream.pointee.next_in = nil }
        while true {
            let start = output.count
            output.append(contentsOf: repeatElement(0, count: chunkBytes))
            let left = output.withUnsafeMutableBytes { buffer in
                // next_out points into `output`'s storage, which does not move during this
                // closure; it is cleared before the closure returns.
                stream.pointee.next_out = buffer.baseAddress!.advanced(by: start).assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(chunkBytes)
                let status = deflate(stream, Z_SYNC_FLUSH)
                precondition(status == Z_OK || status == Z_BUF_ERROR, "deflate failed: \(status)")
                stream.pointee.next_out = nil
                return Int(stream.pointee.avail_out)
            }
            output.removeLast(left)
            // A sync flush is complete when zlib had output space left over.
            if left > 0 { break }
            chunkBytes = max(chunkBytes, 4096)
        }
        if output.count >= 4, output[output.count - 4 ..< output.count].elementsEqual([0x00, 0x00, 0xFF, 0xFF]) {
            output.removeLast(4)
        }
        return output
    }
}

@available(*, unavailable)
extension Deflater: Sendable {}
