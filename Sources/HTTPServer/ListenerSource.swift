/// Where one of the server's listeners comes from.
public enum ListenerSource: Sendable, Equatable {
    /// Bind `host:port` (numeric; port 0 picks a free port), one `SO_REUSEPORT` socket per loop.
    case bind(host: String, port: UInt16)
    /// Take over an inherited, already listening TCP socket (socket activation). The server
    /// owns the descriptor from then on, `dup`s it once per further loop, and closes every
    /// copy on shutdown.
    case adopt(fd: Int32)
}
