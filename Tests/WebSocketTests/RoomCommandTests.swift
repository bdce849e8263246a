import Testing
@testable import WebSocket

/// Parsing the room commands clients send on `/ws`, and the flat JSON reader under it.
struct RoomCommandTests {
    static func parse(_ text: String) -> Result<RoomCommand, RoomCommand.Problem> {
        RoomCommand.parse(Array(text.utf8))
    }

    /// The problem code of a rejected command, or nil if it parsed.
    static func problemCode(_ text: String) -> String? {
        guard case .failure(let problem) = parse(text) else { return nil }
        return problem.code
    }

    @Test("subscribe and unsubscribe name their room")
    func validCommands() {
        #expect(Self.parse(#"{"action":"subscribe","room":"model:minilm"}"#) == .success(.subscribe(RoomName("model:minilm"))))
        #expect(Self.parse(#"{"action":"unsubscribe","room":"models"}"#) == .success(.unsubscribe(RoomName("models"))))
    }

    @Test("whitespace, key order and extra scalar fields do not matter")
    func layoutIsFree() {
        let text = " \r\n\t{ \"room\" :\t\"models\" , \"id\": 12.5e-3, \"ok\": true, \"no\": false, \"x\": null,\n\"action\": \"subscribe\" }\n"
        #expect(Self.parse(text) == .success(.subscribe(RoomName("models"))))
    }

    @Test("string escapes are decoded, surrogate pairs included")
    func escapesAreDecoded() {
        let text = #"{"action":"sub\u0073cribe","room":"a\"b\\c\/d\n\t\u00e9\ud83d\ude00"}"#
        #expect(Self.parse(text) == .success(.subscribe(RoomName("a\"b\\c/d\n\té😀"))))
    }

    @Test("raw UTF-8 in a string is kept")
    func rawUTF8IsKept() {
        #expect(Self.parse(#"{"action":"subscribe","room":"café-☕"}"#) == .success(.subscribe(RoomName("café-☕"))))
    }

    @Test("an unknown action is reported as such")
    func unknownAction() {
        #expect(Self.problemCode(#"{"action":"publish","room":"models"}"#) == "unknown_action")
        #expect(Self.problemCode(#"{"action":"Subscribe","room":"models"}"#) == "unknown_action")
    }

    @Test("a missing or empty room, or a room that is not a string, is reported as missing")
    func missingRoom() {
        #expect(Self.problemCode(#"{"action":"subscribe"}"#) == "missing_room")
        #expect(Self.problemCode(#"{"action":"subscribe","room":""}"#) == "missing_room")
        #expect(Self.problemCode(#"{"action":"subscribe","room":7}"#) == "missing_room")
    }

    @Test("a missing action is reported before the room")
    func missingAction() {
        #expect(Self.problemCode(#"{"room":"models"}"#) == "missing_action")
        #expect(Self.problemCode("{}") == "missing_action")
    }

    @Test("text that is not one flat JSON object is malformed", arguments: [
        "", "subscribe models", "{", "}", "[]", "\"subscribe\"", "null",
        #"{"action":"subscribe","room":"models""#,
        #"{"action":"subscribe","room":"models",}"#,
        #"{"action":"subscribe" "room":"models"}"#,
        #"{"action":"subscribe","room":"models"} {}"#,
        #"{action:"subscribe","room":"models"}"#,
        #"{"action":'subscribe',"room":"models"}"#,
        #"{"action":"subscribe","room":"mod\xels"}"#,
        #"{"action":"subscribe","room":"\u12"}"#,
        #"{"action":"subscribe","room":"\ud83d"}"#,
        #"{"action":"subscribe","room":"\ud83d\u0041"}"#,
        "{\"action\":\"subscribe\",\"room\":\"a\nb\"}",
        #"{"action":"subscribe","room":"models","n":}"#,
        #"{"action":"subscribe","room":"models","n":nul}"#,
    ])
    func malformed(_ text: String) {
        #expect(Self.problemCode(text) == "malformed_message")
    }

    @Test("nested objects and arrays are rejected, not skipped", arguments: [
        #"{"action":"subscribe","room":"models","extra":{}}"#,
        #"{"action":"subscribe","room":"models","extra":{"a":"b"}}"#,
        #"{"action":"subscribe","room":["models"]}"#,
        #"{"action":"subscribe","room":"models","list":[]}"#,
    ])
    func nestedValuesRejected(_ text: String) {
        #expect(Self.problemCode(text) == "malformed_message")
    }

    @Test("invalid UTF-8 inside a string is malformed")
    func invalidUTF8() {
        var bytes = Array(#"{"action":"subscribe","room":"x"#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(#""}"#.utf8)
        guard case .failure(let problem) = RoomCommand.parse(bytes) else {
            Issue.record("invalid UTF-8 was accepted")
            return
        }
        #expect(problem.code == "malformed_message")
    }

    @Test("the flat reader returns string fields and checks but drops the other scalars")
    func flatObjectFields() {
        let fields = FlatJSONObject.parse(Array(#"{"a":"1","b":2,"c":true,"d":null,"a2":"x\"y"}"#.utf8))
        #expect(fields == ["a": "1", "a2": "x\"y"])
        #expect(FlatJSONObject.parse(Array(" { } ".utf8)) == [:])
    }

    @Test("quoted escapes what JSON requires and round-trips through the reader")
    func quotedRoundTrips() {
        let original = "q\"b\\n\n r\r t\t nul\u{0} bell\u{7} us\u{1F} é😀 /"
        let quoted = RoomCommand.quoted(original)
        #expect(quoted == #"q\"b\\n\n r\r t\t nul\u0000 bell\u0007 us\u001f é😀 /"#)
        let json = Array(("{\"action\":\"subscribe\",\"room\":\"" + quoted + "\"}").utf8)
        #expect(RoomCommand.parse(json) == .success(.subscribe(RoomName(original))))
    }
}
