import EventLoop
import WebSocket

/// An Engine.IO session on the WebSocket transport: a fresh one (open packet first), or a
/// polling session upgrading (`2probe` → `3probe`, then `5` moves the session here; packets
/// that arrive before it has moved wait in order). Room messages go out as their `layered`
/// frames through the connection's own queue, with its slow-subscriber policy.
final class EngineIOWebSocketHandler: WebSocketApplicationHandler, SocketIOHost {
    let server: EngineIOServer
    let sid: String
    var socketState = SocketIOState()
    private weak var connection: WebSocketConnection?
    var heartbeat = Heartbeat()
    private enum Mode {
        /// Waiting for `5`, then for the session to arrive; text received meanwhile.
        case upgrading(waiting: [[UInt8]], upgradeRequested: Bool)
        case active
        case closed
    }
    private var mode: Mode

    init(server: EngineIOServer, connection: WebSocketConnection, upgrading: String?, loop: EventLoop) {
        self.server = server
        self.connection = connection
        if let upgrading {
            sid = upgrading
            mode = .upgrading(waiting: [], upgradeRequested: false)
            UpgradeTable.of(loop).handlers[sid] = self
        } else {
            sid = EngineIOServer.makeID()
            mode = .active
            server.register(sid, EngineIOServer.Home(loopIndex: loop.handle.index, isPolling: false))
            let open = EngineIOPacket(.open, server.settings.handshake(sid: sid, upgrades: []))
            connection.sendText(open.encoded, loop: loop)
            schedulePing(loop: loop)
        }
    }

    func textReceived(_ bytes: [UInt8], loop: EventLoop) {
        switch mode {
        case .closed: return
        case .upgrading(var waiting, let requested):
            if !requested, bytes == Array("2probe".utf8) {
                return sendPacket(Array("3probe".utf8), loop: loop)
            }
            if !requested, bytes == [EngineIOPacket.Kind.upgrade.rawValue] {
                mode = .upgrading(waiting: waiting, upgradeRequested: true)
                return requestHandover(loop: loop)
            }
            waiting.append(bytes)
            mode = .upgrading(waiting: waiting, upgradeRequested: requested)
        case .active:
            received(bytes, loop: loop)
        }
    }

    private func received(_ bytes: [UInt8], loop: EventLoop) {
        let packet: EngineIOPacket
        do {
            packet = try EngineIOPacket.decode(bytes)
        } catch {
            return refuse(error.code, error.message, ackID: nil, loop: loop)
        }
        engineIOPacketReceived(packet, loop: loop)
    }

    func binaryReceived(_ bytes: [UInt8], loop: EventLoop) {
        refuse(EngineIOError.binaryNotSupported.code, EngineIOError.binaryNotSupported.message, ackID: nil, loop: loop)
    }

    func closed(loop: EventLoop) {
        let wasActive = if case .active = mode { true } else { false }
        mode = .closed
        heartbeat.cancel()
        if UpgradeTable.of(loop).handlers[sid] === self { UpgradeTable.of(loop).handlers[sid] = nil }
        if wasActive { server.unregister(sid) }
    }

    // MARK: The upgrade

    /// Asks the session's loop for the session; it comes back through `adopt`.
    private func requestHandover(loop: EventLoop) {
        let sid = sid
        let here = loop.handle
        let server = server
        let found = server.onSessionLoop(sid) { session, sessionLoop in
            let handover = session?.migrate(loop: sessionLoop)
            here.execute { loop in
                // The WebSocket closed while the session moved: the session ends here.
                guard let handler = UpgradeTable.of(loop).handlers.removeValue(forKey: sid) else {
                    return server.unregister(sid)
                }
                handler.adopt(handover, loop: loop)
            }
        }
        if !found { connection?.close(code: .policyViolation, reason: .policyViolation, loop: loop) }
    }

    /// The session arrived: queued packets first, then its rooms (catching up on what was
    /// published while it moved), then the packets the client sent meanwhile.
    private func adopt(_ handover: SessionHandover?, loop: EventLoop) {
        guard case .upgrading(let waiting, _) = mode, let connection, !connection.isClosing else {
            return server.unregister(sid)
        }
        guard let handover else { return connection.close(code: .policyViolation, reason: .policyViolation, loop: loop) }
        mode = .active
        server.register(sid, EngineIOServer.Home(loopIndex: loop.handle.index, isPolling: false))
        socketState = handover.socket
        for packet in handover.queued { connection.sendText([UInt8](packet.buffer), loop: loop) }
        for (room, sequence) in handover.rooms {
            connection.joinRoom(room, after: sequence, loop: loop)
            if let missed = server.policy.replay(room, sequence) {
                for message in missed { connection.deliverNow(message, loop: loop) }
            } else if let snapshot = server.policy.snapshot(room) {
                connection.joinRoom(room, after: snapshot.sequence, loop: loop)
                sendSocketIO(SocketIOPacket(.event, data: SocketIOEvent.data(name: "snapshot", arguments: [snapshot.data])), loop: loop)
            }
        }
        schedulePing(loop: loop)
        for bytes in waiting { received(bytes, loop: loop) }
    }

    // MARK: SocketIOHost

    func sendPacket(_ packet: [UInt8], loop: EventLoop) {
        connection?.sendText(packet, loop: loop)
    }

    func joinRoom(_ room: RoomName, after sequence: Int, loop: EventLoop) {
        connection?.joinRoom(room, after: sequence, loop: loop)
    }

    func leaveRoom(_ room: RoomName, loop: EventLoop) -> Int? {
        connection?.leaveRoom(room, loop: loop)
    }

    var roomNames: [RoomName] { connection.map { Array($0.joinedRooms.keys) } ?? [] }

    func endSession(loop: EventLoop) {
        connection?.close(code: .normalClosure, reason: .normal, loop: loop)
    }

    var isOpen: Bool { if case .active = mode { true } else { false } }

    func heartbeatTimedOut(loop: EventLoop) {
        connection?.close(code: .goingAway, reason: .pongTimeout, loop: loop)
    }
}

@available(*, unavailable)
extension EngineIOWebSocketHandler: Sendable {}

/// WebSocket handlers of one loop waiting for their polling session to move in.
final class UpgradeTable {
    var handlers: [String: EngineIOWebSocketHandler] = [:]

    static func of(_ loop: EventLoop) -> UpgradeTable {
        if let table = loop.attached(UpgradeTable.self) { return table }
        let table = UpgradeTable()
        loop.attach(table)
        return table
    }
}

@available(*, unavailable)
extension UpgradeTable: Sendable {}
