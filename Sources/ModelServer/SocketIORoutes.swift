import HTTPServer
import SocketIO
import WebSocket

/// Socket.IO at `socketio.path` (DESIGN §1.10): `GET`, `POST` and `OPTIONS` of that path go
/// to an `EngineIOServer` on the same room hub as `/ws`. Every socket starts in the `models`
/// room (all load events); `join`/`leave` of `model:<id>` narrow it, acked with the model's
/// snapshot. Origins and slow-subscriber limits are the WebSocket ones; `auth.token` may
/// carry the admin token (a wrong one is refused with CONNECT_ERROR). The settings are read
/// at start-up.
enum SocketIORoutes {
    static func register(in router: inout HTTPRouter, rooms: LoadEventRooms, configuration: Configuration,
                         authorization: AdminAuthorization) {
        guard configuration.socketIOEnabled else { return }
        var settings = EngineIOSettings()
        settings.pingInterval = configuration.socketIOPingInterval
        settings.pingTimeout = configuration.socketIOPingTimeout
        settings.maxPayload = configuration.socketIOMaxPayload
        settings.maxSessions = configuration.socketIOMaxSessions
        settings.origins = OriginPolicy(allowedOrigins: configuration.allowedOrigins)
        settings.outboundLimits = configuration.outboundLimits
        settings.roomLimits = RoomLimits(maxRoomsPerConnection: configuration.maxRoomsPerConnection)
        let policy = SocketIOPolicy(
            defaultRoom: LoadEventRooms.modelsRoom,
            allowsRoom: { room in room == LoadEventRooms.modelsRoom || (room.value.hasPrefix("model:") && rooms.allows(room)) },
            snapshot: { rooms.snapshotData(for: $0) },
            replay: { room, sequence in rooms.messages(after: sequence, in: room) },
            isAdminToken: { token in
                guard let expected = authorization.token else { return false }
                return AdminAuthorization.constantTimeEquals(Array(token.utf8), expected)
            })
        let server = EngineIOServer(settings: settings, policy: policy, hub: rooms.hub)
        let path = configuration.socketIOPath
        router.add(.get, path, server.getHandler)
        router.add(.post, path, server.postHandler)
        router.add(.options, path, server.optionsHandler)
    }
}
