import Testing
import WebSocket
@testable import SocketIO

/// The pure parts of the server: the open packet, CONNECT's auth token, the heartbeat's
/// timer generations, and the layered form of room messages.
struct SocketIOServerPartsTests {
    @Test("the open packet carries sid, upgrades, pingInterval, pingTimeout and maxPayload")
    func handshake() {
        var settings = EngineIOSettings()
        settings.pingInterval = .milliseconds(1500)
        settings.pingTimeout = .seconds(2)
        settings.maxPayload = 4096
        let open = String(decoding: settings.handshake(sid: "a\"b", upgrades: ["websocket"]), as: UTF8.self)
        #expect(open == #"{"sid":"a\"b","upgrades":["websocket"],"pingInterval":1500,"pingTimeout":2000,"maxPayload":4096}"#)
        #expect(String(decoding: settings.handshake(sid: "s", upgrades: []), as: UTF8.self).contains(#""upgrades":[]"#))
    }

    @Test("auth.token is read from the top level of CONNECT's object, escapes decoded")
    func authToken() {
        func token(_ text: String) -> String? { PollingSession.tokenField(Array(text.utf8)) }
        #expect(token(#"{"token":"abc"}"#) == "abc")
        #expect(token(#" { "x" : [1,{"token":"no"}] , "token" : "a\"b\u00e9" } "#) == "a\"bé")
        #expect(token(#"{"token":5}"#) == nil)
        #expect(token("{}") == nil)
        #expect(token(#"{"other":"abc"}"#) == nil)
        #expect(token(#"{"token":"abc""#) == nil)
        #expect(token(#"["token","abc"]"#) == nil)
    }

    @Test("a heartbeat timer armed before a re-arm or a cancel is stale")
    func heartbeatGenerations() {
        var heartbeat = Heartbeat()
        let first = heartbeat.arm()
        #expect(heartbeat.isCurrent(first) && !heartbeat.isAwaitingPong)
        heartbeat.pingSent()
        #expect(heartbeat.isAwaitingPong)
        heartbeat.pongReceived()
        #expect(!heartbeat.isAwaitingPong)
        let second = heartbeat.arm()
        #expect(!heartbeat.isCurrent(first) && heartbeat.isCurrent(second))
        heartbeat.cancel()
        #expect(!heartbeat.isCurrent(second))
    }

    @Test("generated ids are 22 URL-safe characters and differ")
    func ids() {
        let ids = (0..<100).map { _ in EngineIOServer.makeID() }
        #expect(Set(ids).count == 100)
        #expect(ids.allSatisfy { $0.utf8.count == 22 && $0.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        } })
    }

    @Test("a room message's layered form is its packet and that packet as one text frame")
    func layeredForm() {
        let packet = Array(#"42["model_load_progress",{"id":"m"}]"#.utf8)
        let message = RoomMessageFraming().make(Array(#"{"event":"x"}"#.utf8), delivery: .mustDeliver, layeredPacket: packet)
        #expect(message.layered.map { [UInt8]($0.packet.buffer) } == packet)
        #expect(message.layered.map { [UInt8]($0.frame.buffer) } == [0x81, UInt8(packet.count)] + packet)
        #expect(RoomMessageFraming().make([0x7B, 0x7D], delivery: .mustDeliver).layered == nil)
    }
}
