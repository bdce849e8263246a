/// How far one client may go with rooms (DESIGN §1.4, §1.8), so no connection can make the
/// server hold an unbounded set of memberships or names (STYLE P8).
public struct RoomLimits: Sendable, Equatable {
    /// Rooms one WebSocket connection may be in at once. Default 64. A subscribe past it
    /// gets a `too_many_rooms` error event and the connection stays open; a handshake
    /// naming more distinct `?room=` rooms than this is refused with 400 `too_many_rooms`
    /// (before the upgrade, so nothing is joined).
    public var maxRoomsPerConnection: Int
    /// Longest room name, in UTF-8 bytes. Default 256, room for `model:` plus the longest
    /// model id (128). A longer name in a command gets an `invalid_room` error event; in
    /// `?room=`, a 400 `invalid_room`.
    public var maxRoomNameBytes: Int

    public init(maxRoomsPerConnection: Int = 64, maxRoomNameBytes: Int = 256) {
        precondition(maxRoomsPerConnection > 0 && maxRoomNameBytes > 0, "room limits must be positive")
        self.maxRoomsPerConnection = maxRoomsPerConnection
        self.maxRoomNameBytes = maxRoomNameBytes
    }

    /// Whether `room`'s name is within `maxRoomNameBytes`.
    public func allowsName(_ room: RoomName) -> Bool {
        room.value.utf8.count <= maxRoomNameBytes
    }

    /// The problem with `room`'s name for an error reply, or nil when it is fine.
    public func nameProblem(_ room: RoomName) -> (code: String, message: String)? {
        allowsName(room) ? nil : (Self.invalidRoomCode, "Room names are at most \(maxRoomNameBytes) bytes.")
    }

    /// The error code of a room name that is too long.
    public static let invalidRoomCode = "invalid_room"
    /// The error code of a subscription past `maxRoomsPerConnection`.
    public static let tooManyRoomsCode = "too_many_rooms"

    /// The message of `tooManyRoomsCode`.
    public var tooManyRoomsMessage: String {
        "A connection may be in at most \(maxRoomsPerConnection) rooms; unsubscribe from one first."
    }
}
