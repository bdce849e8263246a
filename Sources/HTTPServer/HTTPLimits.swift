/// The limits that protect the HTTP server from oversized or slow peers (DESIGN §1.8).
///
/// Each limit maps to one status code through `HTTPParseError.status`; the defaults follow
/// common servers (nginx, NIO) and are written next to each field.
public struct HTTPLimits: Sendable, Equatable {
    /// Largest request head (request line plus header section, terminator included).
    /// Default 16 KiB. Exceeding it answers `431 Request Header Fields Too Large`.
    public var maxHeaderBytes: Int = 16 * 1024
    /// Most header fields in one request. Default 100. Exceeding it answers `431`.
    public var maxHeaderCount: Int = 100
    /// Longest request target. Default 8 KiB. Exceeding it answers `414 URI Too Long`.
    public var maxURIBytes: Int = 8 * 1024
    /// Largest request body (after chunked decoding). Default 1 MiB. Exceeding it answers
    /// `413 Content Too Large`.
    public var maxBodyBytes: Int = 1 << 20
    /// Time allowed from a request's first byte to the end of its head. Default 10 s.
    /// Exceeding it answers `408 Request Timeout` and closes (a slowloris guard).
    public var headerReadTimeout: Duration = .seconds(10)
    /// Time a keep-alive connection may sit idle between requests. Default 60 s; then it is
    /// closed without a response.
    public var idleTimeout: Duration = .seconds(60)
    /// Open client connections across all loops. Default 10,000. Past it, new connections
    /// are accepted and closed at once; established ones are kept.
    public var maxConnections: Int = 10_000
    /// Time allowed from the end of a request's head to the end of its body. Default 30 s
    /// (a 1 MiB body at 35 KB/s). Exceeding it answers `408 Request Timeout` with code
    /// `request_timeout` and closes: a body that stops arriving cannot hold a connection.
    public var bodyReadTimeout: Duration = .seconds(30)
    /// Time queued output may wait with no byte taken by the socket. Default 30 s, as the
    /// body-read timeout: a reader that takes nothing for that long is not slow but gone or
    /// hostile (nginx's `send_timeout` is 60 s; a live client on any real link drains a
    /// socket buffer well within 30 s). Exceeding it closes the connection, dropping the
    /// unsent output.
    public var writeTimeout: Duration = .seconds(30)

    public init() {}
}
