import EventLoop
import HTTPServer
public import WebSocket
import Synchronization

/// The Engine.IO v4 server (engine.io-protocol v4) under Socket.IO v5, on the room hub:
/// routes for `GET`, `POST` and `OPTIONS` of its path, and the table of its sessions.
///
/// - `GET ?EIO=4&transport=polling` opens a session on the loop the request arrived on and
///   answers the open packet; with `&sid=` it is a long poll, held until the session has
///   packets (a ping comes every `pingInterval`, so it never waits longer).
/// - `POST ?EIO=4&transport=polling&sid=` carries packets joined by `\x1e`; answered `ok`.
/// - `GET ?EIO=4&transport=websocket` upgrades: without `sid` a new session on that socket;
///   with the `sid` of a polling session, the upgrade (`2probe`, `3probe`, `5`), after which
///   the session lives on the WebSocket's loop.
/// - A session lives on one loop; requests arriving on another are handed to it through
///   the loop queue. Bad `EIO`, transport or `sid` get 400 with Engine.IO's JSON error
///   (`{"code":N,"message":...}`); an origin the policy refuses gets 403.
public final class EngineIOServer: Sendable {
    public let settings: EngineIOSettings
    public let policy: SocketIOPolicy
    let hub: RoomHub
    /// Where each session lives: its loop's index and whether it still polls.
    private let homes = Mutex<[String: Home]>([:])

    struct Home: Sendable {
        var loopIndex: Int
        var isPolling: Bool
    }

    public init(settings: EngineIOSettings, policy: SocketIOPolicy, hub: RoomHub) {
        self.settings = settings
        self.policy = policy
        self.hub = hub
    }

    /// Sessions open now.
    public var sessionCount: Int { homes.withLock { $0.count } }

    /// The answer to a handshake when `maxSessions` are open, else nil.
    func refusalOfNewSession(headers: [(name: String, value: String)]) -> HTTPResponse? {
        guard sessionCount >= settings.maxSessions else { return nil }
        return Self.failure(.badRequest, "too_many_sessions: \(settings.maxSessions) Socket.IO sessions are open (setting socketio.max-sessions); retry later.",
                            status: .serviceUnavailable, headers: headers + [("Retry-After", "5")])
    }

    func register(_ sid: String, _ home: Home) { homes.withLock { $0[sid] = home } }
    func unregister(_ sid: String) { _ = homes.withLock { $0.removeValue(forKey: sid) } }
    func home(of sid: String) -> Home? { homes.withLock { $0[sid] } }

    /// Runs `body` on the loop of session `sid`, with the session if it is still polling there.
    func onSessionLoop(_ sid: String, _ body: @escaping @Sendable (PollingSession?, EventLoop) -> Void) -> Bool {
        guard let home = home(of: sid), let handle = loopHandle(home.loopIndex) else { return false }
        handle.execute { loop in body(PollingTable.of(loop).sessions[sid], loop) }
        return true
    }

    func loopHandle(_ index: Int) -> EventLoopHandle? {
        let handles = hub.loopHandles
        return index < handles.count ? handles[index] : nil
    }

    /// A new session or socket id: 16 random bytes (the system generator: getrandom), as
    /// URL-safe text.
    static func makeID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<22).map { _ in alphabet[Int(generator.next() % 64)] }, as: UTF8.self)
    }
}

/// The polling sessions of one loop. Loop-confined; attached on first use.
final class PollingTable {
    var sessions: [String: PollingSession] = [:]

    static func of(_ loop: EventLoop) -> PollingTable {
        if let table = loop.attached(PollingTable.self) { return table }
        let table = PollingTable()
        loop.attach(table)
        // Shutdown: answer every waiting long poll (`noop`) and end the sessions, so their
        // HTTP connections close at once and the clients reconnect elsewhere or later.
        DrainListeners.of(loop).add { [weak table] loop in
            guard let table else { return }
            for session in Array(table.sessions.values) { session.close(loop: loop, answeringPollWith: .noop) }
        }
        return table
    }
}

@available(*, unavailable)
extension PollingTable: Sendable {}
