import Testing
import WSLoadCore

struct PublishedMessageTests {
    @Test("a body is exactly the target size, carries its seq and zero-padded send time")
    func bodyShape() {
        let body = PublishedMessage.make(seq: 7, sendTimeNanos: 123_456_789_012_345)
        #expect(body.count == 150)
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"seq":7,"t_ns":00000123456789012345,"#))
        #expect(text.hasSuffix(#"xx"}"#))
        #expect(body.withUnsafeBytes { PublishedMessage.seq(of: $0) } == 7)
    }

    @Test("payloads that are not published bodies have no seq")
    func foreignPayloads() {
        for text in [#"{"event":"snapshot"}"#, #"{"seq":}"#, #"{"seq":12"#, #"{"seq":-1,"#, "", #"{"seq":1234567890123,"#] {
            #expect(Array(text.utf8).withUnsafeBytes { PublishedMessage.seq(of: $0) } == nil)
        }
    }
}

struct HTTPResponseReaderTests {
    private func read(_ text: String) throws -> HTTPResponseReader.Outcome {
        try Array(text.utf8).withUnsafeBytes { raw in try HTTPResponseReader.read(raw) }
    }

    @Test("a Content-Length response is complete only with its whole body")
    func contentLength() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n{\"recipients\":3}"
        #expect(try read(text) == .complete(status: 200, body: Array("{\"recipients\":3}".utf8), consumed: text.utf8.count))
        #expect(try read(String(text.dropLast())) == .needMoreBytes)
        #expect(try read(text + "HTTP/1.1") == .complete(status: 200, body: Array("{\"recipients\":3}".utf8), consumed: text.utf8.count))
    }

    @Test("a chunked response is reassembled, trailers included")
    func chunked() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"rec\r\nb;x=1\r\nipients\":3}\r\n0\r\nX-T: 1\r\n\r\n"
        #expect(try read(text) == .complete(status: 200, body: Array("{\"recipients\":3}".utf8), consumed: text.utf8.count))
        #expect(try read(String(text.dropLast(2))) == .needMoreBytes)
    }

    @Test("conflicting lengths and a body without a length are errors")
    func invalid() {
        #expect(throws: ResponseError.malformed) { try read("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab") }
        #expect(throws: ResponseError.noLength) { try read("HTTP/1.1 200 OK\r\n\r\n") }
    }
}
