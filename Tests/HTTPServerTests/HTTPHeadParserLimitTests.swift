@testable import HTTPServer
import TestSupport
import Testing

/// Limits fire while bytes are scanned, not when the blank line arrives.
struct HTTPHeadParserLimitTests {
    @Test("no blank line within maxHeaderBytes is 431, before any terminator arrives")
    func headerSectionTooLarge431() {
        let limits = HTTPLimits.with(maxHeaderBytes: 64)
        let endless = Array("GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 100)
        let report = feedHead(endless, limits: limits)
        #expect(report.inconsistentSplits.isEmpty)
        #expect(report.output == .failed(.headerSectionTooLarge))
        // Byte by byte, it fails on the byte that fills the limit, long before the input ends.
        let byteByByte = report.outcomes.first { $0.split == .byteByByte }
        #expect(byteByByte?.outcome.prefixLength == 64)
        #expect(HTTPParseError.headerSectionTooLarge.status.code == 431)
    }

    @Test("a head of exactly maxHeaderBytes is accepted and one byte more is 431")
    func headerLimitBoundary() {
        let text = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        expectHead(text, limits: .with(maxHeaderBytes: text.utf8.count))
        expectFailure(text, .headerSectionTooLarge, limits: .with(maxHeaderBytes: text.utf8.count - 1))
    }

    @Test("leading empty lines count towards maxHeaderBytes")
    func leadingLinesCount() {
        let text = String(repeating: "\r\n", count: 40) + "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        expectFailure(text, .headerSectionTooLarge, limits: .with(maxHeaderBytes: 64))
    }

    @Test("a target longer than maxURIBytes is 414 as soon as the limit is passed")
    func uriTooLong414() {
        let limits = HTTPLimits.with(maxURIBytes: 16)
        let bytes = Array(("GET /" + String(repeating: "a", count: 40)).utf8)
        let report = feedHead(bytes, limits: limits)
        #expect(report.inconsistentSplits.isEmpty)
        #expect(report.output == .failed(.uriTooLong))
        // "GET " is 4 bytes; the 17th target byte is byte 21.
        #expect(report.outcomes.first { $0.split == .byteByByte }?.outcome.prefixLength == 21)
        #expect(HTTPParseError.uriTooLong.status.code == 414)
    }

    @Test("a target of exactly maxURIBytes is accepted")
    func uriLimitBoundary() {
        let target = "/" + String(repeating: "b", count: 15)
        #expect(expectHead("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n", limits: .with(maxURIBytes: 16))?.target == target)
        expectFailure("GET \(target)c HTTP/1.1\r\nHost: x\r\n\r\n", .uriTooLong, limits: .with(maxURIBytes: 16))
    }

    @Test("more than maxHeaderCount fields is 431 too_many_headers")
    func tooManyHeaders431() {
        let limits = HTTPLimits.with(maxHeaderCount: 3)
        expectHead("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", .tooManyHeaders, limits: limits)
        #expect(HTTPParseError.tooManyHeaders.status.code == 431)
    }

    @Test("bytes already scanned are not scanned again when the buffer grows")
    func remembersScanPosition() throws {
        let bytes = Array("GET / HTTP/1.1\r\nHost: example\r\n\r\n".utf8)
        var parser = HTTPHeadParser(limits: HTTPLimits())
        let partial = try bytes[..<25].withUnsafeBytes { try parser.parse($0) }
        #expect(partial == .needMoreBytes)
        #expect(parser.scanned == 25)
        #expect(parser.lineStart == 16)
        // A CR at the end of a delivery is left for the next call, which can see its LF.
        let atCR = try bytes[..<30].withUnsafeBytes { try parser.parse($0) }
        #expect(atCR == .needMoreBytes)
        #expect(parser.scanned == 29)
        let whole = try bytes.withUnsafeBytes { try parser.parse($0) }
        #expect(whole == .complete(consumed: bytes.count))
    }

    @Test("reset parses the next pipelined request and keeps the fields capacity")
    func resetForNextRequest() throws {
        let first = Array("GET /a HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n".utf8)
        let second = Array("POST /b HTTP/1.0\r\nContent-Length: 1\r\n\r\n".utf8)
        var parser = HTTPHeadParser(limits: HTTPLimits())
        #expect(try first.withUnsafeBytes { try parser.parse($0) } == .complete(consumed: first.count))
        #expect(parser.head.fields.count == 3)
        let capacity = parser.head.fields.capacity
        parser.reset()
        #expect(parser.head.fields.isEmpty)
        #expect(parser.head.fields.capacity == capacity)
        try second.withUnsafeBytes { buffer in
            let result = try parser.parse(buffer)
            #expect(result == .complete(consumed: second.count))
            #expect(parser.head.method == .post)
            #expect(parser.head.version == .http1_0)
            #expect(parser.head.contentLength == 1)
            #expect(parser.head.keepAlive == false)
            #expect(Array(buffer[parser.head.target]) == Array("/b".utf8))
        }
    }

    @Test("calling parse again after completion returns the same result")
    func completeIsSticky() throws {
        let bytes = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET".utf8)
        var parser = HTTPHeadParser(limits: HTTPLimits())
        let first = try bytes.withUnsafeBytes { try parser.parse($0) }
        let again = try bytes.withUnsafeBytes { try parser.parse($0) }
        #expect(first == .complete(consumed: 27))
        #expect(again == first)
    }
}
