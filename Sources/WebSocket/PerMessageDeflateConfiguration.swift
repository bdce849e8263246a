/// The server's permessage-deflate settings (RFC 7692); absent means the extension is
/// never negotiated.
public struct PerMessageDeflateConfiguration: Sendable, Equatable {
    /// The largest window the server lets a client compress with, as a power of two,
    /// 8...15 (default 15, a 32 KiB window). Sent as `client_max_window_bits` only when the
    /// client offered that parameter (RFC 7692 §7.1.2.2).
    public var clientMaxWindowBits: Int
    /// Whether to ask every client for `client_no_context_takeover` even when it did not
    /// offer it (RFC 7692 §7.1.1.2 allows this), so no inflate window outlives a message and
    /// idle connections hold no zlib memory. Default false: asked only when offered.
    public var requestsClientNoContextTakeover: Bool
    /// Messages shorter than this many bytes are sent uncompressed (RFC 7692 §6.1 lets a
    /// sender leave any message uncompressed). Default 64 bytes.
    public var compressionThresholdBytes: Int
    /// zlib compression level, 1 (fastest) to 9 (smallest). Default 6.
    public var compressionLevel: Int
    /// zlib memory level, 1...9: more memory, faster and better compression. Default 8.
    public var memoryLevel: Int

    /// Settings with these values; the defaults are listed on each property.
    public init(
        clientMaxWindowBits: Int = 15, requestsClientNoContextTakeover: Bool = false,
        compressionThresholdBytes: Int = 64, compressionLevel: Int = 6, memoryLevel: Int = 8
    ) {
        precondition((8...15).contains(clientMaxWindowBits), "window bits are 8...15")
        precondition((1...9).contains(compressionLevel) && (1...9).contains(memoryLevel), "zlib levels are 1...9")
        self.clientMaxWindowBits = clientMaxWindowBits
        self.requestsClientNoContextTakeover = requestsClientNoContextTakeover
        self.compressionThresholdBytes = compressionThresholdBytes
        self.compressionLevel = compressionLevel
        self.memoryLevel = memoryLevel
    }

    /// Whether a message of `byteCount` bytes is worth compressing.
    public func shouldCompress(byteCount: Int) -> Bool {
        byteCount >= compressionThresholdBytes
    }
}
