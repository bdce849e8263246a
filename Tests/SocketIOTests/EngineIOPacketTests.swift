import Testing
import TestSupport
@testable import SocketIO

/// Engine.IO v4 packets and polling payloads, with the protocol's own examples.
struct EngineIOPacketTests {
    static func packet(_ text: String) throws(EngineIOError) -> EngineIOPacket {
        try EngineIOPacket.decode(Array(text.utf8))
    }

    @Test("every packet type decodes from its digit and encodes back")
    func roundTrip() throws {
        let cases: [(String, EngineIOPacket)] = [
            (#"0{"sid":"abc"}"#, EngineIOPacket(.open, text: #"{"sid":"abc"}"#)),
            ("1", EngineIOPacket(.close)),
            ("2", EngineIOPacket(.ping)),
            ("3probe", EngineIOPacket(.pong, text: "probe")),
            ("4hello", EngineIOPacket(.message, text: "hello")),
            ("5", EngineIOPacket(.upgrade)),
            ("6", EngineIOPacket(.noop)),
        ]
        for (text, expected) in cases {
            #expect(try Self.packet(text) == expected)
            #expect(expected.encoded == Array(text.utf8))
        }
    }

    @Test("empty, unknown-type and binary packets get specific errors")
    func malformed() {
        #expect(throws: EngineIOError.emptyPacket) { try Self.packet("") }
        #expect(throws: EngineIOError.unknownPacketType(UInt8(ascii: "7"))) { try Self.packet("7x") }
        #expect(throws: EngineIOError.unknownPacketType(UInt8(ascii: "{"))) { try Self.packet("{}") }
        #expect(throws: EngineIOError.binaryNotSupported) { try Self.packet("bAQIDBA==") }
        #expect(EngineIOError.unknownPacketType(0x01).message.contains("0x1"))
        #expect(EngineIOError.binaryNotSupported.code == "binary_not_supported")
    }

    @Test("a polling payload joins packets with the record separator (spec example)")
    func payloadExample() throws {
        let packets = [EngineIOPacket(.message, text: "hello"), EngineIOPacket(.message, text: "€"), EngineIOPacket(.ping)]
        let wire = Array("4hello\u{1e}4€\u{1e}2".utf8)
        #expect(EngineIOPayload.encode(packets) == wire)
        #expect(try EngineIOPayload.decode(wire, maxPayload: 1000) == packets)
        #expect(try EngineIOPayload.decode([], maxPayload: 1000) == [])
    }

    @Test("a payload read byte by byte and in random splits gives the same packets", arguments: ByteSplit.standard())
    func payloadSplits(split: ByteSplit) throws {
        let wire = Array("40{\"token\":\"t\"}\u{1e}42[\"join\",\"model:x\"]\u{1e}3\u{1e}4é".utf8)
        var reader = EngineIOPayloadReader(maxPayload: wire.count)
        var packets: [EngineIOPacket] = []
        for chunk in split.chunks(of: wire) { packets += try reader.consume(chunk) }
        packets += try reader.finish()
        #expect(packets.map(\.kind) == [.message, .message, .pong, .message], "\(split)")
        #expect(packets.last?.data == Array("é".utf8), "\(split)")
    }

    @Test("a payload past maxPayload is refused as soon as it passes the limit")
    func payloadLimit() {
        var reader = EngineIOPayloadReader(maxPayload: 10)
        #expect(throws: Never.self) { _ = try reader.consume(Array("4hello".utf8)[...]) }
        #expect(throws: EngineIOError.payloadTooLarge(limit: 10)) { _ = try reader.consume(Array("4world".utf8)[...]) }
        #expect(throws: EngineIOError.payloadTooLarge(limit: 3)) { _ = try EngineIOPayload.decode(Array("4abc".utf8), maxPayload: 3) }
        #expect(throws: Never.self) { _ = try EngineIOPayload.decode(Array("4ab".utf8), maxPayload: 3) }
    }

    @Test("empty records and invalid UTF-8 in a payload are refused")
    func payloadMalformed() {
        #expect(throws: EngineIOError.emptyPacket) { _ = try EngineIOPayload.decode(Array("4a\u{1e}\u{1e}2".utf8), maxPayload: 100) }
        #expect(throws: EngineIOError.invalidUTF8) { _ = try EngineIOPayload.decode([0x34, 0xC3], maxPayload: 100) }
    }
}
