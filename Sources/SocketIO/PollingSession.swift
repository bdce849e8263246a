import EventLoop
import HTTPServer
import WebSocket

/// One Engine.IO session on the polling transport, on the loop that owns it (STYLE P1's
/// thin shell: the codecs and `SocketIOHost` hold the protocol).
///
/// - Output is a queue of packets with the slow-subscriber policy of `OutboundQueue` (room
///   messages' `layered.packet`, shared; progress coalesced past the soft limit). A long poll
///   takes the whole queue as one payload; past the hard limit the session is closed.
/// - At most one long poll at a time: a second one gets 400 and closes the session (as the
///   reference servers do).
/// - Heartbeat: a ping every `pingInterval`; no pong within `pingTimeout` closes the session
///   (a client that stopped polling is gone).
final class PollingSession: RoomMember, SocketIOHost {
    let sid: String
    let server: EngineIOServer
    var socketState = SocketIOState()
    var isFlushPending = false
    private var outbound: OutboundQueue
    private var rooms: [RoomName: Int] = [:]
    private var pendingPoll: (responder: HTTPResponder, headers: [(name: String, value: String)])?
    private(set) var isClosed = false
    var heartbeat = Heartbeat()

    init(sid: String, server: EngineIOServer, loop: EventLoop) {
        self.sid = sid
        self.server = server
        outbound = OutboundQueue(limits: server.settings.outboundLimits)
    }

    func start(loop: EventLoop) {
        schedulePing(loop: loop)
    }

    // MARK: Requests

    func poll(responder: HTTPResponder, headers: [(name: String, value: String)], loop: EventLoop) {
        guard pendingPoll == nil else {
            responder.respond(EngineIOServer.failure(.badRequest, "Overlapping GET requests on one session.", headers: headers))
            return close(loop: loop)
        }
        pendingPoll = (responder, headers)
        flush(loop: loop)
    }

    func post(_ body: [UInt8], responder: HTTPResponder, headers: [(name: String, value: String)], loop: EventLoop) {
        let packets: [EngineIOPacket]
        do {
            packets = try EngineIOPayload.decode(body, maxPayload: server.settings.maxPayload)
        } catch {
            let status: HTTPStatus = if case .payloadTooLarge = error { .contentTooLarge } else { .badRequest }
            var response = EngineIOServer.failure(.badRequest, "\(error.code): \(error.message)", headers: headers)
            response.status = status
            responder.respond(response)
            return close(loop: loop)
        }
        responder.respond(EngineIOServer.text(Array("ok".utf8), headers: headers))
        for packet in packets where !isClosed { engineIOPacketReceived(packet, loop: loop) }
    }

    // MARK: Output

    func sendPacket(_ packet: [UInt8], loop: EventLoop) {
        guard !isClosed else { return }
        guard outbound.enqueue(SharedFrame(packet), delivery: .mustDeliver, now: loop.now) != .overHardLimit else {
            server.hub.counters.slowConnectionClosed()
            return close(loop: loop)
        }
        flush(loop: loop)
    }

    func queue(_ message: RoomMessage, now: LoopInstant, loop: EventLoop) -> Bool {
        guard !isClosed, let layered = message.layered else { return false }
        if let origin = message.origin, let last = rooms[origin.room] {
            guard origin.sequence > last else { return false }
            rooms[origin.room] = origin.sequence
        }
        switch outbound.enqueue(layered.packet, delivery: message.delivery, now: now) {
        case .queued: return true
        case .replacedOlder:
            server.hub.counters.messageCoalesced()
            return true
        case .overHardLimit:
            server.hub.counters.slowConnectionClosed()
            close(loop: loop)
            return false
        }
    }

    /// Answers the long poll with everything queued, if both exist.
    func flush(loop: EventLoop) {
        guard let poll = pendingPoll, !outbound.isEmpty else { return }
        pendingPoll = nil
        var payload: [UInt8] = []
        for (index, frame) in outbound.takeAll().enumerated() {
            if index > 0 { payload.append(EngineIOPayload.separator) }
            payload += frame.buffer
        }
        poll.responder.respond(EngineIOServer.text(payload, headers: poll.headers))
    }

    // MARK: Rooms (SocketIOHost)

    func joinRoom(_ room: RoomName, after sequence: Int, loop: EventLoop) {
        if let last = rooms[room] { return rooms[room] = max(last, sequence) }
        rooms[room] = sequence
        server.hub.join(room, self, on: loop)
    }

    func leaveRoom(_ room: RoomName, loop: EventLoop) -> Int? {
        guard let last = rooms.removeValue(forKey: room) else { return nil }
        server.hub.leave(room, self, on: loop)
        return last
    }

    var roomNames: [RoomName] { Array(rooms.keys) }

    func endSession(loop: EventLoop) { close(loop: loop) }

    // MARK: Heartbeat and closing

    var isOpen: Bool { !isClosed }

    func heartbeatTimedOut(loop: EventLoop) { close(loop: loop) }

    /// Closes the session: leaves its rooms, answers a waiting poll with a close packet (or
    /// `noop` on shutdown, so the client sees the transport fail and reconnects).
    func close(loop: EventLoop, answeringPollWith answer: EngineIOPacket.Kind = .close) {
        guard !isClosed else { return }
        isClosed = true
        heartbeat.cancel()
        for room in rooms.keys { server.hub.leave(room, self, on: loop) }
        rooms.removeAll()
        if let poll = pendingPoll {
            pendingPoll = nil
            poll.responder.respond(EngineIOServer.text(EngineIOPacket(answer).encoded, headers: poll.headers))
        }
        PollingTable.of(loop).sessions[sid] = nil
        server.unregister(sid)
    }

    /// Hands the session over to a WebSocket (the upgrade's `5`): answers a waiting poll with
    /// `noop`, leaves the rooms and returns what the WebSocket side carries on with.
    func migrate(loop: EventLoop) -> SessionHandover {
        let handover = SessionHandover(socket: socketState, rooms: rooms,
                                       queued: outbound.isEmpty ? [] : outbound.takeAll())
        if let poll = pendingPoll {
            pendingPoll = nil
            poll.responder.respond(EngineIOServer.text(EngineIOPacket(.noop).encoded, headers: poll.headers))
        }
        isClosed = true
        heartbeat.cancel()
        for room in rooms.keys { server.hub.leave(room, self, on: loop) }
        rooms.removeAll()
        PollingTable.of(loop).sessions[sid] = nil
        return handover
    }
}

@available(*, unavailable)
extension PollingSession: Sendable {}

/// A session's state moving from its polling loop to its WebSocket's loop.
struct SessionHandover: Sendable {
    var socket: SocketIOState
    /// Rooms with the last sequence the session saw in each.
    var rooms: [RoomName: Int]
    /// Packets queued and not yet polled, in order.
    var queued: [SharedFrame]
}
