@testable import ModelServer
import Testing

struct JSONWriterTests {
    @Test("objects, arrays and scalars get commas in the right places")
    func nestedStructureIsWellFormed() {
        var json = JSONWriter()
        json.beginObject()
        json.key("a"); json.int(1)
        json.key("b"); json.beginArray(); json.string("x"); json.bool(true); json.null(); json.endArray()
        json.key("c"); json.beginObject(); json.key("d"); json.double(0.61234); json.endObject()
        json.key("e"); json.optionalInt(Int?.none)
        json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"a":1,"b":["x",true,null],"c":{"d":0.6123},"e":null}"#)
    }

    @Test("strings are escaped as RFC 8259 requires")
    func stringsAreEscaped() {
        var json = JSONWriter()
        json.string("a\"b\\c\nd\u{01}")
        #expect(String(decoding: json.bytes, as: UTF8.self) == #""a\"b\\c\nd\u0001""#)
    }

    @Test("whole doubles drop their fraction and non-finite ones become null")
    func doublesAreCompact() {
        var json = JSONWriter()
        json.beginArray(); json.double(1.0); json.double(.nan); json.endArray()
        #expect(String(decoding: json.bytes, as: UTF8.self) == "[1,null]")
    }
}
