public import EventLoop

/// The answer of an upgrade route.
///
/// What happens to the bytes after an upgrade: the `101` head (and any output queued before
/// it) and any bytes the client sent after its request head (it may start speaking the new
/// protocol at once) are handed to the new protocol's handler in `UpgradedSocket`, which
/// from then on owns the socket on the same loop and writes the head first — after it has
/// set itself up (joined its rooms), so a client never acts on a `101` too early. The HTTP
/// connection object is dropped; the connection keeps its slot in `maxConnections` until
/// the new handler calls `UpgradedSocket.release`.
public enum HTTPUpgrade: Sendable {
    /// Refuse with an ordinary response (e.g. `400`, `426`, `403`); the connection stays HTTP.
    case reject(HTTPResponse)
    /// Switch protocols.
    case accept(HTTPUpgradeAcceptance)
    /// Stay HTTP and answer later through the responder, as an `.asynchronous` route does
    /// (a route that upgrades some requests and long-polls others: Engine.IO's `GET`).
    /// Called on the connection's loop, which it receives.
    case respondLater(@Sendable (HTTPResponder, EventLoop) -> Void)
}

/// An accepted upgrade: the `101` response and the factory of the protocol's handler.
public struct HTTPUpgradeAcceptance: Sendable {
    /// The complete `101 Switching Protocols` head, terminating blank line included.
    public var responseHead: [UInt8]
    /// Builds the handler that takes over the socket. Called once, on the connection's loop.
    public var makeHandler: @Sendable (UpgradedSocket) -> any EventHandler

    public init(responseHead: [UInt8], makeHandler: @escaping @Sendable (UpgradedSocket) -> any EventHandler) {
        self.responseHead = responseHead
        self.makeHandler = makeHandler
    }
}

/// A socket handed from HTTP to another protocol on the same loop.
public struct UpgradedSocket {
    /// The socket's registration; the new handler receives its events from now on.
    public let registration: Registration
    /// The loop that owns the socket.
    public let loop: EventLoop
    /// How bytes move on the socket (plain or TLS); the new handler reads, writes and
    /// closes through it, so WSS and event streams stay encrypted after the upgrade.
    public let transport: ConnectionTransport
    /// Bytes the client sent after the upgrade request, not yet consumed.
    public let inbound: [UInt8]
    /// The `101` response (and anything queued before it), not yet written; the new handler
    /// writes them first.
    public let pendingOutput: [UInt8]
    /// Whether the server is draining (the new handler should close at once, politely).
    public let isDraining: Bool
    /// Gives back the connection's slot (call exactly once, when the socket closes).
    public let release: (EventLoop) -> Void
}

/// A connection handler that can be asked to finish up when the server drains: HTTP
/// connections close when idle; upgraded protocols close politely (WebSocket: 1001).
public protocol DrainableConnection: EventHandler {
    /// The server is shutting down.
    func drain(loop: EventLoop)
    /// The grace period is over: close now.
    func forceClose(loop: EventLoop)
}
