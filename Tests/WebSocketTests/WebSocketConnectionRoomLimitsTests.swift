import EventLoop
import Foundation
@testable import HTTPServer
import Testing
import TestSupport
@testable import WebSocket

/// Rooms per connection and room-name length (DESIGN §1.4, §1.8): past either, an error
/// event (or a 400 at the handshake), and the connection goes on.
struct WebSocketConnectionRoomLimitsTests {
    typealias Harness = WebSocketConnectionTests.Harness

    static func policy(maxRooms: Int, hub: RoomHub = RoomHub()) -> RoomPolicy {
        RoomPolicy(hub: hub, limits: RoomLimits(maxRoomsPerConnection: maxRooms, maxRoomNameBytes: 16),
                   allowsRoom: { _ in true }, snapshot: { _ in nil })
    }

    static func subscribe(_ room: String) -> [UInt8] {
        Array(#"{"action":"subscribe","room":"\#(room)"}"#.utf8)
    }

    /// The `data.code` of an error event, or nil for any other frame.
    static func errorCode(_ frame: WebSocketFrame) -> String? {
        let object = (try? JSONSerialization.jsonObject(with: Data(frame.payload))) as? [String: Any]
        guard object?["event"] as? String == "error" else { return nil }
        return (object?["data"] as? [String: Any])?["code"] as? String
    }

    @Test("a subscribe past the room cap gets too_many_rooms; the connection stays usable")
    func subscribePastCap() throws {
        let harness = try Harness(kind: .rooms(Self.policy(maxRooms: 3)))
        for room in ["a", "b", "c", "a"] { try harness.send(.text, Self.subscribe(room)) }
        #expect(try harness.receive().frames.isEmpty)  // no snapshots, no errors: re-joining "a" is free
        try harness.send(.text, Self.subscribe("d"))
        let refused = try harness.receive()
        #expect(refused.frames.map(Self.errorCode) == ["too_many_rooms"])
        #expect(refused.isClosed == false)
        #expect(harness.hub.memberCount(of: RoomName("d")) == 0)
        #expect(harness.connection?.rooms.count == 3)

        try harness.send(.text, Array(#"{"action":"unsubscribe","room":"b"}"#.utf8))
        try harness.send(.text, Self.subscribe("d"))
        #expect(try harness.receive().frames.map(Self.errorCode) == [nil])  // the "unsubscribed" confirmation
        #expect(harness.hub.memberCount(of: RoomName("d")) == 1)
        #expect(harness.hub.memberCount(of: RoomName("b")) == 0)
        try harness.send(.ping, [1])
        #expect(try harness.receive().frames == [WebSocketFrame(opcode: .pong, payload: [1])])
    }

    @Test("a room name past maxRoomNameBytes gets invalid_room, in subscribe and unsubscribe")
    func longRoomName() throws {
        let harness = try Harness(kind: .rooms(Self.policy(maxRooms: 3)))
        let long = String(repeating: "r", count: 17)
        try harness.send(.text, Self.subscribe(long))
        try harness.send(.text, Array(#"{"action":"unsubscribe","room":"\#(long)"}"#.utf8))
        try harness.send(.text, Self.subscribe(String(repeating: "r", count: 16)))
        let received = try harness.receive()
        #expect(received.frames.map(Self.errorCode) == ["invalid_room", "invalid_room"])
        #expect(received.isClosed == false)
        #expect(harness.hub.memberCount(of: RoomName(long)) == 0)
        #expect(harness.connection?.rooms.count == 1)
    }

    @Test("a room name is measured in UTF-8 bytes, not characters")
    func nameBytesNotCharacters() {
        let limits = RoomLimits(maxRoomsPerConnection: 1, maxRoomNameBytes: 4)
        #expect(limits.allowsName(RoomName("abcd")))
        #expect(!limits.allowsName(RoomName("ééé")))  // 3 characters, 6 bytes
        #expect(RoomLimits().maxRoomNameBytes >= "model:".utf8.count + 128)
    }

    @Test("?room= rooms past the cap or too long are refused with 400 before the upgrade")
    func handshakeRooms() throws {
        let limits = RoomLimits(maxRoomsPerConnection: 2, maxRoomNameBytes: 8)
        let names = { (list: [String]) in list.map(RoomName.init) }
        #expect(WebSocketRoute.refusal(ofInitialRooms: names(["a", "b"]), limits: limits) == nil)
        #expect(WebSocketRoute.refusal(ofInitialRooms: names(["a", "b", "a", "b"]), limits: limits) == nil)
        let tooMany = try #require(WebSocketRoute.refusal(ofInitialRooms: names(["a", "b", "c"]), limits: limits))
        #expect(tooMany.status.code == 400)
        #expect(String(decoding: tooMany.body, as: UTF8.self).contains(#""code":"too_many_rooms""#))
        let tooLong = try #require(WebSocketRoute.refusal(ofInitialRooms: names(["a", "123456789"]), limits: limits))
        #expect(tooLong.status.code == 400)
        #expect(String(decoding: tooLong.body, as: UTF8.self).contains(#""code":"invalid_room""#))
    }

    @Test("a handshake with too many ?room= rooms gets 400 over the wire and joins nothing")
    func handshakeRefusedOverTheWire() throws {
        let hub = RoomHub()
        #expect(throws: WebSocketConnectionTests.HarnessError.self) {
            try Harness(kind: .rooms(Self.policy(maxRooms: 2, hub: hub)), rooms: ["a", "b", "c"])
        }
        #expect(hub.memberCount(of: RoomName("a")) == 0)
        let accepted = try Harness(kind: .rooms(Self.policy(maxRooms: 2, hub: hub)), rooms: ["a", "b"])
        #expect(accepted.hub.memberCount(of: RoomName("a")) == 1)
    }
}
