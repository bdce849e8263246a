/// What the server and one client agreed for permessage-deflate (RFC 7692 §7.1).
///
/// The server always uses no context takeover (DESIGN §1.4), so every message it sends
/// stands alone and broadcasts can be compressed once for all subscribers with equal
/// `serverMaxWindowBits`.
public struct PerMessageDeflateParameters: Sendable, Hashable {
    /// The window the server compresses with, as a power of two (9...15): the client's
    /// `server_max_window_bits`, or 15.
    public var serverMaxWindowBits: Int
    /// Whether the client offered `server_max_window_bits`, so the response must confirm it.
    public var confirmsServerMaxWindowBits: Bool
    /// Whether the client resets its compressor after every message
    /// (`client_no_context_takeover` in the response), so the inflater keeps no window.
    public var clientNoContextTakeover: Bool
    /// The client's window limit sent as `client_max_window_bits`, or nil if not sent.
    public var clientMaxWindowBits: Int?

    /// Agreed parameters with these values.
    public init(
        serverMaxWindowBits: Int = 15, confirmsServerMaxWindowBits: Bool = false,
        clientNoContextTakeover: Bool = false, clientMaxWindowBits: Int? = nil
    ) {
        self.serverMaxWindowBits = serverMaxWindowBits
        self.confirmsServerMaxWindowBits = confirmsServerMaxWindowBits
        self.clientNoContextTakeover = clientNoContextTakeover
        self.clientMaxWindowBits = clientMaxWindowBits
    }

    /// The `Sec-WebSocket-Extensions` value that accepts the offer (RFC 7692 §5).
    public var responseValue: String {
        var value = "permessage-deflate; server_no_context_takeover"
        if clientNoContextTakeover { value += "; client_no_context_takeover" }
        if confirmsServerMaxWindowBits { value += "; server_max_window_bits=\(serverMaxWindowBits)" }
        if let clientMaxWindowBits { value += "; client_max_window_bits=\(clientMaxWindowBits)" }
        return value
    }

    /// A deflater for this connection's outgoing messages; connections with equal
    /// `serverMaxWindowBits` can share one.
    public func makeDeflater(configuration: PerMessageDeflateConfiguration) -> Deflater {
        Deflater(windowBits: serverMaxWindowBits, level: configuration.compressionLevel, memoryLevel: configuration.memoryLevel)
    }

    /// An inflater for this connection's incoming messages.
    public func makeInflater() -> Inflater {
        Inflater(keepsContext: !clientNoContextTakeover)
    }
}
