import EventLoop
import WebSocket

/// The Socket.IO state of one Engine.IO session, whichever transport carries it. Moves with
/// the session when it upgrades from polling to WebSocket.
struct SocketIOState: Sendable {
    /// The Socket.IO id given in CONNECT's reply, once connected to `/`.
    var socketID: String?
    /// Whether CONNECT carried the admin token.
    var isAdmin = false
    var isConnected: Bool { socketID != nil }
}

/// What the Socket.IO protocol needs from a session's transport (polling session or
/// WebSocket handler); the extension below is the protocol itself (socket.io-protocol v5).
protocol SocketIOHost: AnyObject {
    var server: EngineIOServer { get }
    var socketState: SocketIOState { get set }
    /// Sends one Engine.IO packet (its text).
    func sendPacket(_ packet: [UInt8], loop: EventLoop)
    /// Joins `room` having seen its messages up to `sequence`.
    func joinRoom(_ room: RoomName, after sequence: Int, loop: EventLoop)
    /// Leaves `room`; the last sequence seen, or nil if not joined.
    func leaveRoom(_ room: RoomName, loop: EventLoop) -> Int?
    /// The rooms joined.
    var roomNames: [RoomName] { get }
    /// Ends the session (Engine.IO close).
    func endSession(loop: EventLoop)
    /// The heartbeat's timer state.
    var heartbeat: Heartbeat { get set }
    /// Whether the session still runs (a heartbeat timer firing after the end does nothing).
    var isOpen: Bool { get }
    /// No pong came within `pingTimeout`: close the transport.
    func heartbeatTimedOut(loop: EventLoop)
}

extension SocketIOHost {
    /// One Engine.IO packet from the client, whichever transport carried it.
    func engineIOPacketReceived(_ packet: EngineIOPacket, loop: EventLoop) {
        switch packet.kind {
        case .message: socketIOMessage(packet.data, loop: loop)
        case .pong:
            heartbeat.pongReceived()
            schedulePing(loop: loop)
        case .ping: sendPacket(EngineIOPacket(.pong, packet.data).encoded, loop: loop)
        case .close: endSession(loop: loop)
        case .open, .upgrade, .noop: break
        }
    }

    /// Pings after `pingInterval` (a new arm replaces any earlier one); closes the transport
    /// when the pong does not come within `pingTimeout`.
    func schedulePing(loop: EventLoop) {
        let generation = heartbeat.arm()
        loop.schedule(at: loop.now.advanced(by: server.settings.pingInterval)) { [weak self] in
            guard let self, isOpen, heartbeat.isCurrent(generation) else { return }
            heartbeat.pingSent()
            sendPacket(EngineIOPacket(.ping).encoded, loop: loop)
            loop.schedule(at: loop.now.advanced(by: server.settings.pingTimeout)) { [weak self] in
                guard let self, isOpen, heartbeat.isCurrent(generation), heartbeat.isAwaitingPong else { return }
                heartbeatTimedOut(loop: loop)
            }
        }
    }

    /// Handles the data of an Engine.IO message packet: one Socket.IO packet.
    func socketIOMessage(_ data: [UInt8], loop: EventLoop) {
        let packet: SocketIOPacket
        do {
            packet = try SocketIOPacket.decode(data)
        } catch {
            return refuse(error.code, error.message, ackID: nil, loop: loop)
        }
        guard packet.namespace == SocketIOPacket.mainNamespace else {
            // socket.io-protocol v5: a CONNECT to an unknown namespace gets CONNECT_ERROR.
            let reply = SocketIOPacket(.connectError, namespace: packet.namespace,
                                       data: Array(#"{"message":"Invalid namespace","data":{"code":"unknown_namespace"}}"#.utf8))
            return sendSocketIO(reply, loop: loop)
        }
        switch packet.kind {
        case .connect: connect(auth: packet.data, loop: loop)
        case .disconnect: endSession(loop: loop)
        case .event:
            guard socketState.isConnected else {
                return refuse("not_connected", "Send CONNECT before events.", ackID: packet.ackID, loop: loop)
            }
            do {
                let event = try SocketIOEvent(data: packet.data ?? [])
                eventReceived(event, ackID: packet.ackID, loop: loop)
            } catch {
                refuse(error.code, error.message, ackID: packet.ackID, loop: loop)
            }
        case .ack, .connectError:
            break  // this server asks for no acks; a client sends no CONNECT_ERROR
        case .binaryEvent, .binaryAck:
            refuse(SocketIOError.binaryNotSupported.code, SocketIOError.binaryNotSupported.message, ackID: nil, loop: loop)
        }
    }

    /// Sends a Socket.IO packet inside an Engine.IO message packet.
    func sendSocketIO(_ packet: SocketIOPacket, loop: EventLoop) {
        sendPacket([EngineIOPacket.Kind.message.rawValue] + packet.encoded, loop: loop)
    }

    private func connect(auth: [UInt8]?, loop: EventLoop) {
        guard !socketState.isConnected else {
            return refuse("already_connected", "This session is already connected to '/'.", ackID: nil, loop: loop)
        }
        var isAdmin = false
        if let auth, let token = Self.tokenField(auth) {
            guard server.policy.isAdminToken(token) else {
                let data = #"{"message":"Not authorized: auth.token is not the admin token.","data":{"code":"invalid_token"}}"#
                return sendSocketIO(SocketIOPacket(.connectError, data: Array(data.utf8)), loop: loop)
            }
            isAdmin = true
        }
        let id = EngineIOServer.makeID()
        socketState = SocketIOState(socketID: id, isAdmin: isAdmin)
        joinRoom(server.policy.defaultRoom, after: -1, loop: loop)
        var reply = Array(#"{"sid":"#.utf8)
        SocketIOEvent.appendJSONString(id, to: &reply)
        reply.append(UInt8(ascii: "}"))
        sendSocketIO(SocketIOPacket(.connect, data: reply), loop: loop)
    }

    /// `auth.token`, when `auth` is one JSON object with a string `token` at its top level.
    static func tokenField(_ auth: [UInt8]) -> String? {
        let bytes = auth[...]
        guard JSONSpan.isValue(bytes) else { return nil }
        var index = JSONSpan.skipSpace(bytes, bytes.startIndex)
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        while true {
            index = JSONSpan.skipSpace(bytes, index)
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\""),
                  let keyEnd = JSONSpan.valueEnd(bytes, from: index) else { return nil }
            let key = JSONSpan.string(bytes[index..<keyEnd])
            index = JSONSpan.skipSpace(bytes, keyEnd)
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: ":") else { return nil }
            let valueStart = JSONSpan.skipSpace(bytes, index + 1)
            guard let valueEnd = JSONSpan.valueEnd(bytes, from: valueStart) else { return nil }
            if key == "token" { return JSONSpan.string(bytes[valueStart..<valueEnd]) }
            index = JSONSpan.skipSpace(bytes, valueEnd)
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
    }

    private func eventReceived(_ event: SocketIOEvent, ackID: Int?, loop: EventLoop) {
        switch event.name {
        case "join":
            guard let room = event.stringArgument(0).map(RoomName.init) else {
                return refuse("missing_room", "join takes a room name: emit('join', 'model:ID').", ackID: ackID, loop: loop)
            }
            join(room, ackID: ackID, loop: loop)
        case "leave":
            guard let room = event.stringArgument(0).map(RoomName.init) else {
                return refuse("missing_room", "leave takes a room name: emit('leave', 'model:ID').", ackID: ackID, loop: loop)
            }
            leave(room, ackID: ackID, loop: loop)
        default:
            refuse("unknown_event", "Unknown event '\(event.name)'; this server accepts join and leave.", ackID: ackID, loop: loop)
        }
    }

    /// Joins `room` (narrowing from the default room) and answers with its snapshot: as the
    /// ack's argument, or as a `snapshot` event when no ack was asked for.
    private func join(_ room: RoomName, ackID: Int?, loop: EventLoop) {
        let limits = server.settings.roomLimits
        if let problem = limits.nameProblem(room) { return refuse(problem.code, problem.message, ackID: ackID, loop: loop) }
        guard server.policy.allowsRoom(room) else {
            return refuse("unknown_room", "There is no room named '\(room.value)'.", ackID: ackID, loop: loop)
        }
        let joined = roomNames
        if !joined.contains(room) {
            let narrowed = joined.filter { $0 != server.policy.defaultRoom }
            guard narrowed.count < limits.maxRoomsPerConnection else {
                return refuse(RoomLimits.tooManyRoomsCode, limits.tooManyRoomsMessage, ackID: ackID, loop: loop)
            }
            if room != server.policy.defaultRoom { _ = leaveRoom(server.policy.defaultRoom, loop: loop) }
            // Member first, snapshot second: an event published in between is either in the
            // snapshot (and dropped by its sequence number) or after it.
            joinRoom(room, after: -1, loop: loop)
        }
        let snapshot = server.policy.snapshot(room)
        if let snapshot { joinRoom(room, after: snapshot.sequence, loop: loop) }
        let data = snapshot?.data ?? Array("null".utf8)
        if let ackID {
            sendSocketIO(SocketIOPacket(.ack, ackID: ackID, data: [UInt8(ascii: "[")] + data + [UInt8(ascii: "]")]), loop: loop)
        } else {
            sendSocketIO(SocketIOPacket(.event, data: SocketIOEvent.data(name: "snapshot", arguments: [data])), loop: loop)
        }
    }

    /// Leaves `room`; leaving the last narrowed room goes back to the default room.
    private func leave(_ room: RoomName, ackID: Int?, loop: EventLoop) {
        guard leaveRoom(room, loop: loop) != nil else {
            return refuse("not_subscribed", "Not in room '\(room.value)'.", ackID: ackID, loop: loop)
        }
        if roomNames.isEmpty { joinRoom(server.policy.defaultRoom, after: -1, loop: loop) }
        if let ackID { sendSocketIO(SocketIOPacket(.ack, ackID: ackID, data: Array("[true]".utf8)), loop: loop) }
    }

    /// A refused packet: before CONNECT, a CONNECT_ERROR; after, the ack (when one was asked
    /// for) or an `error` event, carrying `{"error":{"code","message"}}` / `{"code","message"}`.
    func refuse(_ code: String, _ message: String, ackID: Int?, loop: EventLoop) {
        let object = SocketIOEvent.errorObject(code: code, message: message)
        guard socketState.isConnected else {
            var data = Array(#"{"message":"#.utf8)
            SocketIOEvent.appendJSONString(message, to: &data)
            data += Array(#","data":"#.utf8) + object + [UInt8(ascii: "}")]
            return sendSocketIO(SocketIOPacket(.connectError, data: data), loop: loop)
        }
        if let ackID {
            sendSocketIO(SocketIOPacket(.ack, ackID: ackID, data: Array(#"[{"error":"#.utf8) + object + Array("}]".utf8)), loop: loop)
        } else {
            sendSocketIO(SocketIOPacket(.event, data: SocketIOEvent.data(name: "error", arguments: [object])), loop: loop)
        }
    }
}
