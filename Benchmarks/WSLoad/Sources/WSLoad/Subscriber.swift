import WSLoadCore

/// One WebSocket client: its socket, where its handshake stands, the bytes of an
/// incomplete frame, and what it has received.
final class Subscriber {
    enum State {
        case notStarted
        /// Waiting for the TCP connection (EPOLLOUT).
        case connecting
        /// Request sent; waiting for the 101.
        case handshaking
        case open
        case closed
    }

    let index: Int
    var fd: Int32 = -1
    var state = State.notStarted
    var key: HandshakeKey?
    var startNanos: UInt64 = 0
    /// An incomplete frame (or response head) left over from the previous read.
    var pending: [UInt8] = []
    var decoder = FrameDecoder()
    /// The smallest seq this connection has not seen yet (per-connection order).
    var nextSeq = 0
    /// Set while decoding when the connection must be closed after this read.
    var mustClose = false
    /// Socket.IO: the WebSocket is open but `40{...}` (connected) has not arrived yet.
    var awaitingSocketIOConnect = false

    init(index: Int) {
        self.index = index
    }

    /// The opening handshake request (RFC 6455 §4.1) for `path`?room=`room`.
    func handshakeRequest(host: String, port: UInt16, room: String, key: HandshakeKey, socketIO: Bool) -> [UInt8] {
        let target = socketIO ? "/socket.io/?EIO=4&transport=websocket" : "/ws?room=\(room)"
        return Array(("GET \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: \(key.key)\r\nSec-WebSocket-Version: 13\r\n"
            + "User-Agent: ws-load\r\n\r\n").utf8)
    }
}

@available(*, unavailable)
extension Subscriber: Sendable {}
