import EventLoop

/// Room membership and commands, and the echo endpoint's replies.
extension WebSocketConnection {
    /// Joins `room` and sends its snapshot first, so the client starts from the current state.
    /// A name past `RoomLimits.maxRoomNameBytes`, an unknown room, or a room past
    /// `maxRoomsPerConnection` gets an error event instead (joining again only re-sends
    /// the snapshot).
    func join(_ room: RoomName, loop: EventLoop) {
        guard case .rooms(let policy) = endpoint.kind else { return }
        if let problem = policy.limits.nameProblem(room) {
            return sendError(code: problem.code, message: problem.message, loop: loop)
        }
        guard policy.allowsRoom(room) else {
            return sendError(code: "unknown_room", message: "There is no room named '\(room.value)'.", loop: loop)
        }
        if rooms[room] == nil {
            guard rooms.count < policy.limits.maxRoomsPerConnection else {
                return sendError(code: RoomLimits.tooManyRoomsCode, message: policy.limits.tooManyRoomsMessage, loop: loop)
            }
            rooms[room] = -1  // below any seq: a new room's snapshot carries 0
            loopContext.rooms.join(room, self)
        }
        if let snapshot = policy.snapshot(room) { deliver(snapshot, loop: loop) }
    }

    func leave(_ room: RoomName, loop: EventLoop) {
        if case .rooms(let policy) = endpoint.kind, let problem = policy.limits.nameProblem(room) {
            return sendError(code: problem.code, message: problem.message, loop: loop)
        }
        guard rooms.removeValue(forKey: room) != nil else {
            return sendError(code: "not_subscribed", message: "Not subscribed to '\(room.value)'.", loop: loop)
        }
        loopContext.rooms.leave(room, self)
        sendEvent(#"{"event":"unsubscribed","room":""# + RoomCommand.quoted(room.value) + #""}"#, loop: loop)
    }

    func roomCommandReceived(_ bytes: [UInt8], policy: RoomPolicy, loop: EventLoop) {
        switch RoomCommand.parse(bytes) {
        case .success(.subscribe(let room)): join(room, loop: loop)
        case .success(.unsubscribe(let room)): leave(room, loop: loop)
        case .failure(let problem): sendError(code: problem.code, message: problem.message, loop: loop)
        }
    }

    func sendError(code: String, message: String, loop: EventLoop) {
        sendEvent(#"{"event":"error","data":{"code":""# + RoomCommand.quoted(code) + #"","message":""#
                  + RoomCommand.quoted(message) + #""}}"#, loop: loop)
    }

    private func sendEvent(_ json: String, loop: EventLoop) {
        var frame: [UInt8] = []
        WebSocketFrameEncoder.encode(opcode: .text, payload: Array(json.utf8), into: &frame)
        send(frame, loop: loop)
    }

    /// Echo endpoint: the message back, compressed when negotiated and worth it.
    func echo(_ payload: [UInt8], opcode: WebSocketFrame.Opcode, loop: EventLoop) {
        var frame: [UInt8] = []
        if let deflate, payload.count >= RoomMessageFraming.compressionThresholdBytes {
            // Compress with the window the client agreed to (server_max_window_bits).
            let compressed = loopContext.deflater(windowBits: deflate.serverMaxWindowBits).compress(payload)
            WebSocketFrameEncoder.encode(opcode: opcode, payload: compressed, rsv1: true, into: &frame)
        } else {
            WebSocketFrameEncoder.encode(opcode: opcode, payload: payload, into: &frame)
        }
        send(frame, loop: loop)
    }
}
