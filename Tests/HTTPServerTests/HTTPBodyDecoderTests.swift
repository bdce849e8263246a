import HTTPServer
import TestSupport
import Testing

/// What decoding one body under one split produced.
enum BodyOutcome: Equatable {
    case complete(body: String, leftover: String)
    case incomplete(body: String)
    case failed(HTTPParseError)
}

/// Decodes `wire` delivered in the chunks of `split`, as a connection would: each delivery
/// is appended to what is pending and the decoder takes what it can from the front.
func decodeBody(_ wire: String, framing: HTTPBodyDecoder.Framing, maxBodyBytes: Int = 1 << 20, split: ByteSplit) -> BodyOutcome {
    do throws(HTTPParseError) {
        var decoder = try HTTPBodyDecoder(framing: framing, maxBodyBytes: maxBodyBytes)
        var body: [UInt8] = []
        var pending: [UInt8] = []
        for chunk in split.chunks(of: Array(wire.utf8)) {
            pending += chunk
            let consumed = pending.withUnsafeBytes { buffer in
                Result { () throws(HTTPParseError) in try decoder.decode(buffer, into: &body) }
            }
            pending.removeFirst(try consumed.get())
        }
        let text = String(decoding: body, as: UTF8.self)
        return decoder.isComplete ? .complete(body: text, leftover: String(decoding: pending, as: UTF8.self)) : .incomplete(body: text)
    } catch {
        return .failed(error)
    }
}

/// Expects every standard split of `wire` to decode to `expected`.
func expectBody(
    _ wire: String, framing: HTTPBodyDecoder.Framing, maxBodyBytes: Int = 1 << 20, _ expected: BodyOutcome,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    for split in ByteSplit.standard() {
        let outcome = decodeBody(wire, framing: framing, maxBodyBytes: maxBodyBytes, split: split)
        #expect(outcome == expected, "\(split) of \(Array(wire.utf8).prefix(40))", sourceLocation: sourceLocation)
        if outcome != expected { return }
    }
}

struct HTTPBodyDecoderTests {
    @Test("a Content-Length body is taken exactly, leaving pipelined bytes")
    func contentLengthExact() {
        expectBody("hello", framing: .contentLength(5), .complete(body: "hello", leftover: ""))
        expectBody("helloGET / HTTP/1.1", framing: .contentLength(5), .complete(body: "hello", leftover: "GET / HTTP/1.1"))
        expectBody("hel", framing: .contentLength(5), .incomplete(body: "hel"))
    }

    @Test("no body and a zero Content-Length are complete at once")
    func emptyBodies() throws {
        #expect(try HTTPBodyDecoder(framing: .none, maxBodyBytes: 0).isComplete)
        #expect(try HTTPBodyDecoder(framing: .contentLength(0), maxBodyBytes: 0).isComplete)
        expectBody("GET", framing: .none, .complete(body: "", leftover: "GET"))
    }

    @Test("a Content-Length over maxBodyBytes is 413 before any byte is read")
    func contentLengthTooLarge413() {
        #expect(throws: HTTPParseError.bodyTooLarge) { try HTTPBodyDecoder(framing: .contentLength(11), maxBodyBytes: 10) }
        #expect(throws: Never.self) { try HTTPBodyDecoder(framing: .contentLength(10), maxBodyBytes: 10) }
        #expect(HTTPParseError.bodyTooLarge.status.code == 413)
    }

    @Test("the classic chunked example decodes, with a chunk spanning CRLFs")
    func chunkedExample() {
        let wire = "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n"
        expectBody(wire, framing: .chunked, .complete(body: "Wikipedia in\r\n\r\nchunks.", leftover: ""))
    }

    @Test("chunk extensions are skipped and trailers validated and discarded")
    func extensionsAndTrailers() {
        let wire = "5;name=value;quoted=\"a b\"\r\nhello\r\n6 ; ext\r\n world\r\n0;last\r\nExpires: never\r\nX-Sum: 1\r\n\r\nNEXT"
        expectBody(wire, framing: .chunked, .complete(body: "hello world", leftover: "NEXT"))
    }

    @Test("hex sizes are case-insensitive and may have leading zeros")
    func hexSizes() {
        let wire = "0000A\r\n0123456789\r\na\r\nabcdefghij\r\n000\r\n\r\n"
        expectBody(wire, framing: .chunked, .complete(body: "0123456789abcdefghij", leftover: ""))
    }

    @Test("an unfinished chunked body is incomplete, not an error")
    func chunkedIncomplete() {
        expectBody("5\r\nhel", framing: .chunked, .incomplete(body: "hel"))
        expectBody("5\r\nhello\r\n0\r\n", framing: .chunked, .incomplete(body: "hello"))
    }

    @Test("malformed chunk sizes are 400 invalid_chunk")
    func malformedSizes() {
        for wire in ["\r\n", "g\r\n", "-1\r\n", "0x5\r\n", " 5\r\n", "5 \r\n", ";ext\r\n", "5\n", "5\rx"] {
            expectBody(wire, framing: .chunked, .failed(.invalidChunk))
        }
    }

    @Test("chunk data must be followed by exactly CRLF")
    func dataCRLF() {
        expectBody("3\r\nabcd\r\n", framing: .chunked, .failed(.invalidChunk))
        expectBody("3\r\nabc\n0\r\n\r\n", framing: .chunked, .failed(.invalidChunk))
        expectBody("0\r\n\rx", framing: .chunked, .failed(.invalidChunk))
    }

    @Test("a control byte in a chunk extension is 400 invalid_chunk")
    func controlInExtension() {
        expectBody("5;a=\u{1}\r\nhello\r\n0\r\n\r\n", framing: .chunked, .failed(.invalidChunk))
    }

    @Test("an overlong chunk-size line is 400 invalid_chunk")
    func overlongSizeLine() {
        let wire = "5;" + String(repeating: "x", count: 5000) + "\r\nhello\r\n0\r\n\r\n"
        expectBody(wire, framing: .chunked, .failed(.invalidChunk))
    }

    @Test("malformed trailers are 400 malformed_header")
    func malformedTrailers() {
        for trailer in [" folded\r\n", "Bad Name: x\r\n", ": x\r\n", "X: a\u{1}b\r\n", "X: a\rb\r\n", "NoColon\r\n"] {
            expectBody("0\r\n" + trailer + "\r\n", framing: .chunked, .failed(.malformedHeader))
        }
    }

    @Test("a trailer section over its bound is 431")
    func trailersTooLarge() {
        let wire = "0\r\nX-Pad: " + String(repeating: "p", count: 9000) + "\r\n\r\n"
        expectBody(wire, framing: .chunked, .failed(.headerSectionTooLarge))
    }

    @Test("a chunk size that passes maxBodyBytes is 413 while its digits are read")
    func chunkTooLarge413() {
        expectBody("b\r\n", framing: .chunked, maxBodyBytes: 10, .failed(.bodyTooLarge))
        expectBody("a\r\n0123456789\r\n0\r\n\r\n", framing: .chunked, maxBodyBytes: 10,
                   .complete(body: "0123456789", leftover: ""))
        // The total counts: 6 + 5 passes 10 on the second chunk's size.
        expectBody("6\r\nabcdef\r\n5\r\n", framing: .chunked, maxBodyBytes: 10, .failed(.bodyTooLarge))
        // No size line ever gets to finish, so "deadbeef..." cannot overflow.
        expectBody("deadbeefdeadbeefdeadbeef\r\n", framing: .chunked, maxBodyBytes: 1 << 20, .failed(.bodyTooLarge))
        expectBody("7fffffffffffffff7\r\n", framing: .chunked, maxBodyBytes: .max, .failed(.bodyTooLarge))
    }

    @Test("decoding after completion consumes nothing")
    func completeConsumesNothing() throws {
        var decoder = try HTTPBodyDecoder(framing: .contentLength(2), maxBodyBytes: 10)
        var body: [UInt8] = []
        let first = try Array("ab".utf8).withUnsafeBytes { try decoder.decode($0, into: &body) }
        let second = try Array("cd".utf8).withUnsafeBytes { try decoder.decode($0, into: &body) }
        #expect(first == 2)
        #expect(second == 0)
        #expect(body == Array("ab".utf8))
    }
}
