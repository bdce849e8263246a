import FuzzSupport
@testable import WebSocket

/// Parses the input as a client's room command with `RoomCommand.parse` (no trap on any
/// bytes), and checks that a parsed command survives a round trip: the room written back with
/// `RoomCommand.quoted` into a fresh command parses to the same command.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = [UInt8](fuzzBytes(data, size))
    guard case .success(let command) = RoomCommand.parse(bytes) else { return 0 }
    let (action, room) = switch command {
    case .subscribe(let room): ("subscribe", room)
    case .unsubscribe(let room): ("unsubscribe", room)
    }
    fuzzCheck(!room.value.isEmpty, "an empty room name was accepted")
    let rewritten = "{\"action\":\"\(action)\",\"room\":\"\(RoomCommand.quoted(room.value))\"}"
    let again = RoomCommand.parse(Array(rewritten.utf8))
    fuzzCheck(again == .success(command), "\(rewritten) parsed as \(again), not \(command)")
    return 0
}
