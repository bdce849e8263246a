import Testing
@testable import SocketIO

/// Socket.IO v5 packets, with the examples of socket.io-protocol v5.
struct SocketIOPacketTests {
    static func packet(_ text: String) throws(SocketIOError) -> SocketIOPacket {
        try SocketIOPacket.decode(Array(text.utf8))
    }

    @Test("the protocol's examples decode and encode back")
    func specExamples() throws {
        let cases: [(String, SocketIOPacket)] = [
            ("0", SocketIOPacket(.connect)),
            (#"0{"token":"123"}"#, SocketIOPacket(.connect, data: Array(#"{"token":"123"}"#.utf8))),
            (#"0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}"#,
             SocketIOPacket(.connect, namespace: "/admin", data: Array(#"{"sid":"oSO0OpakMV_3jnilAAAA"}"#.utf8))),
            ("1", SocketIOPacket(.disconnect)),
            ("1/admin,", SocketIOPacket(.disconnect, namespace: "/admin")),
            (#"2["foo"]"#, SocketIOPacket(.event, data: Array(#"["foo"]"#.utf8))),
            (#"2/admin,["bar"]"#, SocketIOPacket(.event, namespace: "/admin", data: Array(#"["bar"]"#.utf8))),
            (#"212["foo",{"a":[1,2.5e3,null,true]}]"#, SocketIOPacket(.event, ackID: 12, data: Array(#"["foo",{"a":[1,2.5e3,null,true]}]"#.utf8))),
            (#"3/admin,13["bar"]"#, SocketIOPacket(.ack, namespace: "/admin", ackID: 13, data: Array(#"["bar"]"#.utf8))),
            (#"4{"message":"Not authorized"}"#, SocketIOPacket(.connectError, data: Array(#"{"message":"Not authorized"}"#.utf8))),
        ]
        for (text, expected) in cases {
            #expect(try Self.packet(text) == expected, "\(text)")
            if text != "1/admin," { #expect(expected.encoded == Array(text.utf8), "\(text)") }
        }
        #expect(try Self.packet("1/admin") == SocketIOPacket(.disconnect, namespace: "/admin"))
    }

    @Test("binary events and acks are refused with a clear error")
    func binaryRefused() {
        #expect(throws: SocketIOError.binaryNotSupported) { try Self.packet(#"51-["hello",{"_placeholder":true,"num":0}]"#) }
        #expect(throws: SocketIOError.binaryNotSupported) { try Self.packet(#"61-/admin,15[{"_placeholder":true,"num":0}]"#) }
        #expect(SocketIOError.binaryNotSupported.message.contains("Binary"))
    }

    @Test("malformed packets get specific errors", arguments: [
        ("", SocketIOError.emptyPacket),
        ("9", .unknownPacketType(UInt8(ascii: "9"))),
        ("x[]", .unknownPacketType(UInt8(ascii: "x"))),
        (#"2{"a":1}"#, .eventNotArray),
        ("2", .eventNotArray),
        ("2[]", .eventNameMissing),
        ("2[1,2]", .eventNameMissing),
        (#"2["a",]"#, .malformedJSON),
        (#"2["a""#, .malformedJSON),
        (#"2["a"] x"#, .malformedJSON),
        (#"2["\x"]"#, .malformedJSON),
        ("2[01]", .malformedJSON),
        ("0[1]", .connectDataNotObject),
        ("012{}", .unexpectedAckID),
        ("1{}", .unexpectedData),
        ("3[1]", .badAckID),
        ("312", .eventNotArray),
        ("299999999999[\"a\"]", .badAckID),
        ("2/a b,[\"a\"]", .badNamespace),
    ])
    func malformed(text: String, error: SocketIOError) {
        #expect(throws: error) { try Self.packet(text) }
    }

    @Test("nesting deeper than the cap is refused, not a stack overflow")
    func deepNesting() {
        let deep = "2[\"a\"," + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "]"
        #expect(throws: SocketIOError.malformedJSON) { try Self.packet(deep) }
        let fine = "2[\"a\"," + String(repeating: "[", count: 30) + String(repeating: "]", count: 30) + "]"
        #expect(throws: Never.self) { try Self.packet(fine) }
    }

    @Test("an event splits into its name and raw JSON arguments, escapes decoded")
    func eventArguments() throws {
        let event = try SocketIOEvent(data: Array(#"[ "jo\u0069n" , "model:\"x\"", {"k":[1]} ]"#.utf8))
        #expect(event.name == "join")
        #expect(event.stringArgument(0) == "model:\"x\"")
        #expect(event.arguments[1] == Array(#"{"k":[1]}"#.utf8))
        #expect(event.stringArgument(1) == nil)
        #expect(event.stringArgument(2) == nil)
        #expect(SocketIOEvent.data(name: "a\"b", arguments: [Array("1".utf8)]) == Array(#"["a\"b",1]"#.utf8))
        #expect(SocketIOEvent.errorObject(code: "c", message: "m\n") == Array(#"{"code":"c","message":"m\u000a"}"#.utf8))
    }
}
