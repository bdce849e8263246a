import EventLoop
import Foundation
@testable import HTTPServer
import Testing
import TestSupport
@testable import WebSocket

/// Room commands over a real connection: joining by query and by message, snapshots first,
/// leaving, and error events that keep the connection open.
struct WebSocketConnectionRoomsTests {
    typealias Harness = WebSocketConnectionTests.Harness
    static let framing = RoomMessageFraming()

    /// A policy that knows `models` and `model:m` (with a snapshot) and nothing else.
    static func policy(hub: RoomHub) -> RoomPolicy {
        RoomPolicy(hub: hub, allowsRoom: { $0.value == "models" || $0.value == "model:m" }, snapshot: { room in
            guard room.value == "model:m" else { return nil }
            return framing.make(Array(#"{"event":"snapshot","room":"model:m","seq":4,"data":{}}"#.utf8), delivery: .mustDeliver,
                                eventID: 4, room: room)
        })
    }

    /// The frame's payload parsed as a JSON object; nil if it is not one.
    static func json(_ frame: WebSocketFrame) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(frame.payload))) as? [String: Any]
    }

    static func text(_ frame: WebSocketFrame) -> String {
        String(decoding: frame.payload, as: UTF8.self)
    }

    @Test("rooms from the query are joined before anything is read, the snapshot first")
    func queryRoomsJoined() throws {
        let harness = try Harness(kind: .rooms(Self.policy(hub: RoomHub())), rooms: ["model:m", "models"])
        #expect(harness.hub.memberCount(of: RoomName("model:m")) == 1)
        #expect(harness.hub.memberCount(of: RoomName("models")) == 1)
        let message = Self.framing.make(Array(#"{"event":"x"}"#.utf8), delivery: .mustDeliver)
        #expect(harness.hub.publish(message, to: RoomName("models")) == 1)
        harness.loop.runUntilIdle()
        let frames = try harness.receive().frames
        #expect(frames.map(Self.text) == [#"{"event":"snapshot","room":"model:m","seq":4,"data":{}}"#, #"{"event":"x"}"#])
    }

    @Test("a room event the snapshot already covered is not sent again; seq never repeats per room")
    func eventsCoveredBySnapshotAreDropped() throws {
        let harness = try Harness(kind: .rooms(Self.policy(hub: RoomHub())), rooms: ["model:m", "models"])
        func event(_ room: String, _ seq: Int) -> RoomMessage {
            Self.framing.make(Array(#"{"room":"\#(room)","seq":\#(seq)}"#.utf8), delivery: .mustDeliver,
                              eventID: seq, room: RoomName(room))
        }
        for (room, seq) in [("model:m", 3), ("model:m", 4), ("model:m", 5), ("model:m", 5), ("models", 1), ("models", 1)] {
            harness.hub.publish(event(room, seq), to: RoomName(room))
        }
        harness.hub.publish(Self.framing.make(Array(#"{"verbatim":true}"#.utf8), delivery: .mustDeliver), to: RoomName("models"))
        harness.loop.runUntilIdle()
        #expect(try harness.receive().frames.map(Self.text) == [
            #"{"event":"snapshot","room":"model:m","seq":4,"data":{}}"#,
            #"{"room":"model:m","seq":5}"#, #"{"room":"models","seq":1}"#, #"{"verbatim":true}"#,
        ])
    }

    @Test("the snapshot of a room with no events yet (seq 0) is sent, then its first event")
    func snapshotAtSequenceZeroIsSent() throws {
        let room = RoomName("model:m")
        let policy = RoomPolicy(hub: RoomHub(), allowsRoom: { $0 == room }, snapshot: { room in
            Self.framing.make(Array(#"{"seq":0}"#.utf8), delivery: .mustDeliver, eventID: 0, room: room)
        })
        let harness = try Harness(kind: .rooms(policy), rooms: ["model:m"])
        harness.hub.publish(Self.framing.make(Array(#"{"seq":1}"#.utf8), delivery: .mustDeliver, eventID: 1, room: room), to: room)
        harness.loop.runUntilIdle()
        #expect(try harness.receive().frames.map(Self.text) == [#"{"seq":0}"#, #"{"seq":1}"#])
    }

    @Test("subscribe by message joins and sends the snapshot; unsubscribe leaves and confirms")
    func subscribeAndUnsubscribe() throws {
        let harness = try Harness(kind: .rooms(Self.policy(hub: RoomHub())))
        let room = RoomName("model:m")
        try harness.send(.text, Array(#"{"action":"subscribe","room":"model:m"}"#.utf8))
        #expect(try harness.receive().frames.map { Self.json($0)?["event"] as? String } == ["snapshot"])
        #expect(harness.hub.memberCount(of: room) == 1)

        try harness.send(.text, Array(#"{"action":"unsubscribe","room":"model:m"}"#.utf8))
        let answer = try #require(try harness.receive().frames.first)
        #expect(harness.hub.memberCount(of: room) == 0)
        #expect(harness.hub.publish(Self.framing.make(Array("{}".utf8), delivery: .mustDeliver), to: room) == 0)
        let object = try #require(Self.json(answer), "not JSON: \(Self.text(answer))")
        #expect(object["event"] as? String == "unsubscribed")
        #expect(object["room"] as? String == "model:m")
    }

    @Test("bad commands get an error event that is valid JSON, and the connection stays open", arguments: [
        (#"{"action":"dance","room":"models"}"#, "unknown_action"),
        ("{not json", "malformed_message"),
        (#"{"action":"subscribe","room":"nowhere"}"#, "unknown_room"),
        (#"{"action":"unsubscribe","room":"models"}"#, "not_subscribed"),
    ])
    func errorEvents(command: String, code: String) throws {
        let harness = try Harness(kind: .rooms(Self.policy(hub: RoomHub())))
        try harness.send(.text, Array(command.utf8))
        let received = try harness.receive()
        #expect(received.isClosed == false)
        let frame = try #require(received.frames.first)
        #expect(frame.opcode == .text)
        // Still usable after the error.
        try harness.send(.ping, [7])
        #expect(try harness.receive().frames == [WebSocketFrame(opcode: .pong, payload: [7])])
        let object = try #require(Self.json(frame), "not JSON: \(Self.text(frame))")
        #expect(object["event"] as? String == "error")
        let data = object["data"] as? [String: Any]
        #expect(data?["code"] as? String == code)
        #expect((data?["message"] as? String)?.isEmpty == false)
    }

    @Test("closing leaves every room")
    func closeLeavesRooms() throws {
        let harness = try Harness(kind: .rooms(Self.policy(hub: RoomHub())), rooms: ["models", "model:m"])
        try harness.send(.close, [0x03, 0xE8])
        #expect(try harness.receive().isClosed)
        #expect(harness.hub.memberCount(of: RoomName("models")) == 0)
        #expect(harness.hub.memberCount(of: RoomName("model:m")) == 0)
        #expect(harness.hub.counters.openConnections == 0)
    }
}
