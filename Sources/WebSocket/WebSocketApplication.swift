public import EventLoop

/// A protocol layered on WebSocket text messages (Socket.IO): `open` makes the handler of a
/// connection's messages when it starts, on its loop.
public struct WebSocketApplication: Sendable {
    public let open: @Sendable (WebSocketConnection, EventLoop) -> any WebSocketApplicationHandler

    public init(open: @escaping @Sendable (WebSocketConnection, EventLoop) -> any WebSocketApplicationHandler) {
        self.open = open
    }
}

/// Receives one connection's messages, on its loop.
public protocol WebSocketApplicationHandler: AnyObject {
    func textReceived(_ bytes: [UInt8], loop: EventLoop)
    func binaryReceived(_ bytes: [UInt8], loop: EventLoop)
    /// The socket closed (by either side); called once.
    func closed(loop: EventLoop)
}

/// What an application handler may do with its connection.
extension WebSocketConnection {
    /// Sends `text` as one text message.
    public func sendText(_ text: [UInt8], loop: EventLoop) {
        guard !isCloseSent else { return }
        var frame: [UInt8] = []
        frame.reserveCapacity(text.count + 10)
        WebSocketFrameEncoder.encode(opcode: .text, payload: text, into: &frame)
        send(frame, loop: loop)
    }

    /// Sends an already framed message (a room message's `layered.frame`).
    public func sendShared(_ frame: SharedFrame, loop: EventLoop) {
        guard !isCloseSent else { return }
        send(frame, loop: loop)
    }

    /// Joins `room`, having seen its messages up to `sequence` (later ones are sent, earlier
    /// ones dropped: never backwards). Joining again only raises the sequence.
    public func joinRoom(_ room: RoomName, after sequence: Int, loop: EventLoop) {
        guard !isClosed else { return }
        if let last = rooms[room] {
            rooms[room] = max(last, sequence)
            return
        }
        rooms[room] = sequence
        loopContext.rooms.join(room, self)
    }

    /// Leaves `room`; returns the last sequence seen in it, or nil if it was not joined.
    @discardableResult
    public func leaveRoom(_ room: RoomName, loop: EventLoop) -> Int? {
        guard let last = rooms.removeValue(forKey: room) else { return nil }
        loopContext.rooms.leave(room, self)
        return last
    }

    /// The rooms joined, with the last sequence seen in each.
    public var joinedRooms: [RoomName: Int] { rooms }

    /// Queues a room message now (a replay after joining), by the same rules as a broadcast.
    public func deliverNow(_ message: RoomMessage, loop: EventLoop) {
        deliver(message, loop: loop)
    }

    /// Starts a closing handshake with `code` (1000 normal, 1001 going away, 1008 policy).
    public func close(code: CloseCode, reason: CloseReason, loop: EventLoop) {
        closesAfterFlush = true
        startClose(code: code, reason: reason, loop: loop)
    }

    /// Whether the socket is closed or closing.
    public var isClosing: Bool { isClosed || isCloseSent }
}
