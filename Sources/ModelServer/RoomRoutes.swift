import HTTPServer
import Synchronization
import WebSocket

/// The live-progress endpoints of DESIGN §1.4: `GET /ws` (rooms over WebSocket), `GET
/// /ws/echo` (with `--enable-echo`), `GET /v1/models/{id}/events` (the same events as
/// Server-Sent Events, resumable from `Last-Event-ID` while the events are still held), and
/// `POST /v1/rooms/{room}/messages` (admin: publish a JSON message to a room).
///
/// The WebSocket and event-stream settings (`websocket.*`, `sse.*`) are live:
/// `applySettings` swaps the upgrade handlers, so connections opened afterwards get the new
/// ping interval, outbound limits, allowed origins, room cap and stream cap while open ones
/// keep those they started with.
///
/// Origins (DESIGN §1.4): `/ws` and `/ws/echo` accept handshakes without `Origin` and
/// same-origin ones; others get 403 `origin_not_allowed` unless `websocket.allowed-origins`
/// lists them (`*`: any). Room names are at most `RoomLimits.maxRoomNameBytes` (256) bytes
/// on every path: `?room=` (400), subscribe commands (an error event) and publishing (400
/// `invalid_room`).
final class RoomRoutes: Sendable {
    let rooms: LoadEventRooms
    let authorization: AdminAuthorization
    private let enablesEcho: Bool
    private let upgrades: Mutex<Upgrades>

    /// The upgrade handlers built from one set of settings.
    private struct Upgrades {
        var rooms: @Sendable (HTTPRequest) -> HTTPUpgrade
        var echo: @Sendable (HTTPRequest) -> HTTPUpgrade
        var eventStream: @Sendable (HTTPRequest) -> HTTPUpgrade
        var roomLimits: RoomLimits
    }

    init(rooms: LoadEventRooms, configuration: Configuration, authorization: AdminAuthorization) {
        self.rooms = rooms
        self.authorization = authorization
        enablesEcho = configuration.enableEcho
        upgrades = Mutex(Self.makeUpgrades(rooms: rooms, configuration: configuration))
    }

    /// Connections opened from now on use `configuration`'s `websocket.*` settings.
    func applySettings(_ configuration: Configuration) {
        let fresh = Self.makeUpgrades(rooms: rooms, configuration: configuration)
        upgrades.withLock { $0 = fresh }
    }

    private var current: Upgrades {
        upgrades.withLock { $0 }
    }

    func register(in router: inout HTTPRouter) {
        let rooms = rooms
        router.add(.get, "/ws", .upgrade { [self] request in current.rooms(request) })
        if enablesEcho {
            router.add(.get, "/ws/echo", .upgrade { [self] request in current.echo(request) })
        }
        router.add(.get, "/v1/models/{id}/events", .upgrade { [self] request in current.eventStream(request) })
        let authorization = authorization
        router.add(.post, "/v1/rooms/{room}/messages", .synchronous { [self] request in
            if let denied = authorization.check(request) { return denied }
            // The body goes out verbatim as one text frame: it must be UTF-8 (RFC 6455 §5.6)
            // and look like a JSON object or array. It is not re-parsed, so a publisher's
            // exact bytes (number formatting included) reach every member.
            let first = request.body.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
            guard first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
                  String(validating: request.body, as: UTF8.self) != nil else {
                return .error(.badRequest, code: "invalid_message",
                              message: "The body must be a UTF-8 JSON object or array; it is sent verbatim.")
            }
            let room = RoomName(request.pathParameters["room"] ?? "")
            if let problem = current.roomLimits.nameProblem(room) {
                return .error(.badRequest, code: problem.code, message: problem.message)
            }
            let recipients = rooms.publishVerbatim(request.body, to: room)
            return .json(.ok, Array("{\"recipients\":\(recipients)}".utf8))
        })
    }

    private static func makeUpgrades(rooms: LoadEventRooms, configuration: Configuration) -> Upgrades {
        let roomLimits = RoomLimits(maxRoomsPerConnection: configuration.maxRoomsPerConnection)
        let policy = RoomPolicy(hub: rooms.hub, limits: roomLimits, allowsRoom: { rooms.allows($0) },
                                snapshot: { rooms.snapshot(for: $0) })
        var frameLimits = WebSocketLimits.rooms
        frameLimits.pingInterval = configuration.webSocketPingInterval
        let endpoint = WebSocketEndpoint(kind: .rooms(policy), limits: frameLimits, outboundLimits: configuration.outboundLimits)
        let origins = OriginPolicy(allowedOrigins: configuration.allowedOrigins)
        let roomsRoute = WebSocketRoute.handler(endpoint: endpoint, hub: rooms.hub, origins: origins) { request in
            request.queryValues("room").filter { !$0.isEmpty }.map(RoomName.init)
        }
        var echoLimits = WebSocketLimits.echo
        echoLimits.pingInterval = configuration.webSocketPingInterval
        let echo = WebSocketEndpoint(kind: .echo, limits: echoLimits, outboundLimits: Self.echoOutboundLimits)
        let echoRoute = WebSocketRoute.handler(endpoint: echo, hub: rooms.hub, origins: origins)
        let streamRoute = WebSocketRoute.eventStream(
            hub: rooms.hub, outboundLimits: configuration.outboundLimits, maxStreams: configuration.maxEventStreams
        ) { request in
            Self.openEventStream(request, rooms: rooms)
        }
        return Upgrades(rooms: upgradeBody(roomsRoute), echo: upgradeBody(echoRoute), eventStream: upgradeBody(streamRoute),
                        roomLimits: roomLimits)
    }

    /// The upgrade closure inside a handler `WebSocketRoute` built (always `.upgrade`).
    private static func upgradeBody(_ handler: HTTPHandler) -> @Sendable (HTTPRequest) -> HTTPUpgrade {
        guard case .upgrade(let body) = handler else {
            preconditionFailure("WebSocketRoute builds upgrade handlers only")
        }
        return body
    }

    /// The echo endpoint echoes up to 16 MiB messages. It stops reading past 1 MiB queued
    /// (backpressure), so its queue holds at most that plus one reply: the hard limit
    /// (32 MiB) leaves room for the largest reply, never a flood of them.
    static let echoOutboundLimits: OutboundLimits = {
        var limits = OutboundLimits()
        limits.softBytes = 1 << 20
        limits.hardBytes = 32 << 20
        return limits
    }()

    private static func openEventStream(_ request: HTTPRequest, rooms: LoadEventRooms) -> EventStreamOpening {
        let id = request.pathParameters["id"] ?? ""
        let room = LoadEventRooms.room(forModel: id)
        guard rooms.allows(room) else {
            return .reject(.error(.notFound, code: "model_not_found", message: "No model with id '\(id)'."))
        }
        let lastID = request.header("Last-Event-ID").flatMap { Int($0.trimmingASCIIWhitespace()) }
        return .stream(room: room) {
            if let lastID, let missed = rooms.messages(after: lastID, in: room) { return missed }
            return rooms.snapshot(for: room).map { [$0] } ?? []
        }
    }
}
