import FuzzSupport
@testable import SocketIO

/// Reads the input as an Engine.IO polling payload (a POST body, maxPayload 4096) and each
/// message packet in it as a Socket.IO packet (no trap on any bytes), and checks:
/// - the payload read in two pieces (cut where the first byte says) gives the same packets,
///   or the same error, as read whole;
/// - a decoded Engine.IO packet and a decoded Socket.IO packet survive a round trip
///   (encode, decode again: equal);
/// - an EVENT splits into a name and arguments that are each one JSON value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = [UInt8](fuzzBytes(data, size))
    let whole = Result { () throws(EngineIOError) in try EngineIOPayload.decode(bytes, maxPayload: 4096) }
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    var reader = EngineIOPayloadReader(maxPayload: 4096)
    let split = Result { () throws(EngineIOError) in
        try reader.consume(bytes[..<cut]) + reader.consume(bytes[cut...]) + reader.finish()
    }
    switch (whole, split) {
    case (.success(let a), .success(let b)): fuzzCheck(a == b, "split at \(cut) gave \(b), whole \(a)")
    case (.failure(let a), .failure(let b)): fuzzCheck(a == b, "split at \(cut) failed with \(b), whole with \(a)")
    default: fuzzCheck(false, "split at \(cut) gave \(split), whole \(whole)")
    }
    guard case .success(let packets) = whole else { return 0 }
    for packet in packets {
        fuzzCheck((try? EngineIOPacket.decode(packet.encoded)) == packet, "Engine.IO packet \(packet) did not round-trip")
        guard packet.kind == .message, let socketIO = try? SocketIOPacket.decode(packet.data) else { continue }
        fuzzCheck((try? SocketIOPacket.decode(socketIO.encoded)) == socketIO, "Socket.IO packet \(socketIO) did not round-trip")
        guard socketIO.kind == .event, let data = socketIO.data else { continue }
        guard let event = try? SocketIOEvent(data: data) else { fuzzCheck(false, "a valid EVENT did not split"); continue }
        for argument in event.arguments { fuzzCheck(JSONSpan.isValue(argument[...]), "an argument is not one JSON value") }
    }
    return 0
}
