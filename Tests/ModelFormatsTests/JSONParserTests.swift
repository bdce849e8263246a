@testable import ModelFormats
import Testing

/// The header's JSON parser accepts RFC 8259 exactly: nothing a lenient decoder would let by.
struct JSONParserTests {
    private static func parse(_ text: String) -> Result<JSONValue, JSONSyntaxError> {
        Array(text.utf8).withUnsafeBytes { bytes in
            Result { () throws(JSONSyntaxError) in try JSONParser.parse(bytes) }
        }
    }

    private static func value(_ text: String) -> JSONValue? {
        try? parse(text).get()
    }

    @Test("values of every kind parse, with whitespace around tokens")
    func everyKindParses() {
        let parsed = Self.value(" {\"a\" : [1, -2, 0, 1.5, -0.25e2, true, false, null, \"s\"], \"b\":{}} \r\n\t")
        #expect(parsed == .object([
            "a": .array([.integer(1), .integer(-2), .integer(0), .number(1.5), .number(-25), .bool(true), .bool(false), .null, .string("s")]),
            "b": .object([:]),
        ]))
    }

    @Test("integers fill Int exactly; larger ones and any fraction or exponent are not integers")
    func integerBoundaries() {
        #expect(Self.value("9223372036854775807") == .integer(.max))
        #expect(Self.value("-9223372036854775807") == .integer(-.max))
        #expect(Self.value("9223372036854775808") == .number(9223372036854775808))
        #expect(Self.value("99999999999999999999999") == .number(1e23))
        #expect(Self.value("1.0") == .number(1))
        #expect(Self.value("1e0") == .number(1))
        #expect(Self.value("-0") == .integer(0))
    }

    @Test("escapes decode, including surrogate pairs")
    func escapesDecode() {
        #expect(Self.value(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{08}\u{0C}\n\r\t"))
        #expect(Self.value(#""\u00e9\u4e2D\ud83d\ude00""#) == .string("é中😀"))
        #expect(Self.value("\"é😀 raw\"") == .string("é😀 raw"))
    }

    @Test("text outside the RFC 8259 grammar is rejected",
          arguments: ["", " ", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "[1e]", "[+1]", "[-]", "'a'",
                      "{a:1}", "[1 2]", "[1] x", "tru", "nul", "\"\\x\"", "\"\\u12G4\"", "\"\\ud800\"",
                      "\"\\ud800\\u0041\"", "\"\\udc00\"", "\"a\u{01}b\"", "\"open", "[", "{\"a\"}", "// c\n1", "NaN"])
    func grammarViolationsAreRejected(text: String) {
        guard case .failure(.invalid) = Self.parse(text) else {
            Issue.record("accepted \(text.debugDescription)")
            return
        }
    }

    @Test("a key repeated in one object is rejected; the same key in two objects is fine")
    func duplicateKeys() {
        #expect(Self.parse("{\"a\":1,\"b\":2,\"a\":3}") == .failure(.duplicateKey("a")))
        #expect(Self.value("{\"x\":{\"a\":1},\"y\":{\"a\":1}}") != nil)
    }

    @Test("nesting up to the cap parses and one level more is rejected without exhausting the stack")
    func nestingIsCapped() {
        let deepest = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(Self.value(deepest) != nil)
        let tooDeep = "[" + deepest + "]"
        #expect(Self.value(tooDeep) == nil)
        #expect(Self.value(String(repeating: "[", count: 100_000)) == nil)
    }

    @Test("the error offset points at the first byte that breaks the grammar")
    func errorOffset() {
        #expect(Self.parse("[1,]") == .failure(.invalid(offset: 3)))
        #expect(Self.parse("{\"a\":1} x") == .failure(.invalid(offset: 8)))
    }
}
