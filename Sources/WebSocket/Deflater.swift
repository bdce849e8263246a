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
        // next_in points into `message` only during this call; zlib never writes through
        // it (the pointer type is mutable only for historical reasons).
        stream.pointee.next_in = UnsafeMutablePointer(mutating: message.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(message.count)
        defer { stream.pointee.next_in = nil }
        // deflateBound is for a finished stream; a sync flush adds at most an empty stored
        // block, so with a little slack the first pass nearly always suffices.
        var (output, isFlushed) = deflateStep(capacity: Int(deflateBound(stream, uLong(message.count))) + 16)
        while !isFlushed {
            let (more, flushed) = deflateStep(capacity: max(4096, output.count))
            output.append(contentsOf: more)
            isFlushed = flushed
        }
        if output.count >= 4, output[output.count - 4 ..< output.count].elementsEqual([0x00, 0x00, 0xFF, 0xFF]) {
            output.removeLast(4)
        }
        return output
    }

    /// Runs one sync-flushing deflate call into a new buffer of `capacity` bytes; returns
    /// the output and whether the flush is complete (zlib had space left over).
    private func deflateStep(capacity: Int) -> ([UInt8], Bool) {
        var isFlushed = false
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            // next_out points into the new array's storage only during this closure.
            stream.pointee.next_out = buffer.baseAddress
            stream.pointee.avail_out = uInt(capacity)
            let status = deflate(stream, Z_SYNC_FLUSH)
            precondition(status == Z_OK || status == Z_BUF_ERROR, "deflate failed: \(status)")
            count = capacity - Int(stream.pointee.avail_out)
            isFlushed = stream.pointee.avail_out > 0
            stream.pointee.next_out = nil
        }
        return (output, isFlushed)
    }
}

@available(*, unavailable)
extension Deflater: Sendable {}
