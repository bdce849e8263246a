@testable import HTTPServer
import Testing

/// Each malformed head, fed whole, byte by byte and at random splits, with its status.
struct HTTPHeadParserErrorTests {
    @Test("a bare LF anywhere in the head is 400")
    func bareLF() {
        expectFailure("GET / HTTP/1.1\nHost: x\r\n\r\n", .malformedRequestLine)
        expectFailure("GET / HTTP/1.1\r\nHost: x\n\r\n", .malformedHeader)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\n\n", .malformedHeader)
        expectFailure("\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", .malformedRequestLine)
        #expect(HTTPParseError.malformedHeader.status.code == 400)
    }

    @Test("a bare CR anywhere in the head is 400")
    func bareCR() {
        expectFailure("GET / HTTP/1.1\rHost: x\r\n\r\n", .malformedRequestLine)
        expectFailure("GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n", .malformedHeader)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\n\r\r\n", .malformedHeader)
    }

    @Test("a method that is not a token is 400 invalid_method")
    func methodNotToken() {
        expectFailure("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod)
        expectFailure("GE\tT / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod)
        #expect(HTTPParseError.invalidMethod.status == .badRequest)
    }

    @Test("anything but one SP between the request line's parts is 400")
    func requestLineSpacing() {
        expectFailure("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", .malformedRequestLine)
        expectFailure("GET /  HTTP/1.1\r\nHost: x\r\n\r\n", .malformedRequestLine)
        expectFailure(" GET / HTTP/1.1\r\nHost: x\r\n\r\n", .malformedRequestLine)
        expectFailure("GET / HTTP/1.1 \r\nHost: x\r\n\r\n", .malformedRequestLine)
        expectFailure("GET /\r\nHost: x\r\n\r\n", .malformedRequestLine)
        expectFailure("GET\r\nHost: x\r\n\r\n", .malformedRequestLine)
    }

    @Test("a request-target with control bytes, spaces or non-ASCII is 400")
    func badTarget() {
        expectFailure("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", .malformedRequestLine)
        expectFailure(Array("GET /a".utf8) + [0x01] + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8), .malformedRequestLine)
        expectFailure(Array("GET /a".utf8) + [0x7F] + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8), .malformedRequestLine)
        expectFailure("GET /caf\u{E9} HTTP/1.1\r\nHost: x\r\n\r\n", .malformedRequestLine)
    }

    @Test("HTTP/2.0, HTTP/3.0 and HTTP/0.9 are 505")
    func unsupportedVersions() {
        for version in ["HTTP/2.0", "HTTP/3.0", "HTTP/0.9"] {
            expectFailure("GET / \(version)\r\nHost: x\r\n\r\n", .unsupportedVersion)
        }
        #expect(HTTPParseError.unsupportedVersion.status.code == 505)
    }

    @Test("a version not of the form HTTP/d.d is 400")
    func malformedVersions() {
        for version in ["HTTP/1.10", "HTTP/11", "http/1.1", "HTTP/1.", "HTTP/a.1", "HTTP-1.1", "HTTP/1.1x", ""] {
            expectFailure("GET / \(version)\r\nHost: x\r\n\r\n", .malformedRequestLine)
        }
    }

    @Test("a field name that is not a token, or whitespace before the colon, is 400")
    func badFieldName() {
        expectFailure("GET / HTTP/1.1\r\nHost : x\r\n\r\n", .malformedHeader)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\nX(y): z\r\n\r\n", .malformedHeader)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\n: z\r\n\r\n", .malformedHeader)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", .malformedHeader)
    }

    @Test("obs-fold and whitespace before the first field are 400")
    func obsFold() {
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  b\r\n\r\n", .malformedHeader)
        expectFailure("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n", .malformedHeader)
        expectFailure("GET / HTTP/1.1\r\n Host: x\r\n\r\n", .malformedHeader)
    }

    @Test("a control byte other than HTAB in a field value is 400")
    func controlInValue() {
        for control: UInt8 in [0x00, 0x01, 0x1B, 0x7F] {
            let bytes = Array("GET / HTTP/1.1\r\nHost: x\r\nX-A: a".utf8) + [control] + Array("b\r\n\r\n".utf8)
            expectFailure(bytes, .malformedHeader)
        }
    }

    @Test("HTTP/1.1 without Host is 400 missing_host")
    func missingHost() {
        expectFailure("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .missingHost)
        #expect(HTTPParseError.missingHost.code == "missing_host")
    }

    @Test("more than one Host, even for HTTP/1.0, is 400 duplicate_host")
    func duplicateHost() {
        expectFailure("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", .duplicateHost)
        expectFailure("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", .duplicateHost)
    }

    @Test("a Host value that is not host[:port] is 400 invalid_host")
    func invalidHost() {
        expectFailure("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", .invalidHost)
        expectFailure("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", .invalidHost)
        expectFailure("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", .invalidHost)
    }

    @Test("the Host byte table is exactly ALPHA, DIGIT and -._~%!$&'()*+,;=:[] (RFC 3986 §3.2.2)")
    func hostByteTable() {
        let punctuation = Set("-._~%!$&'()*+,;=:[]".utf8)
        for byte in UInt8.min...UInt8.max {
            let expected = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A && byte < 0x80)
                || punctuation.contains(byte)
            #expect(HTTPHeadParser.isHostByte(byte) == expected, "byte \(byte)")
        }
    }

    @Test("a Content-Length that is not all digits is 400")
    func contentLengthNotDigits() {
        for value in ["", "-1", "+5", "1a", "0x10", "5 5", ",", "1.0"] {
            expectFailure("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \(value)\r\n\r\n", .invalidContentLength)
        }
    }

    @Test("differing Content-Length values, in separate fields or one list, are 400")
    func contentLengthDiffers() {
        expectFailure("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .invalidContentLength)
        expectFailure("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\n", .invalidContentLength)
    }

    @Test("Content-Length with Transfer-Encoding is 400 conflicting_length")
    func bothFramings() {
        expectFailure(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", .conflictingLength)
        expectFailure(
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", .conflictingLength)
        #expect(HTTPParseError.conflictingLength.status.code == 400)
    }

    @Test("a transfer coding other than chunked, or chunked not last, is 501")
    func unsupportedCoding() {
        for value in ["gzip", "gzip, chunked", "chunked, gzip", "deflate;q=1"] {
            expectFailure("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \(value)\r\n\r\n", .unsupportedTransferEncoding)
        }
        expectFailure(
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
            .unsupportedTransferEncoding)
        #expect(HTTPParseError.unsupportedTransferEncoding.status.code == 501)
    }

    @Test("chunked twice, an empty Transfer-Encoding, or one in HTTP/1.0 is 400")
    func invalidTransferEncoding() {
        expectFailure("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", .invalidTransferEncoding)
        expectFailure("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \r\n\r\n", .invalidTransferEncoding)
        expectFailure("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", .invalidTransferEncoding)
        expectFailure("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .invalidTransferEncoding)
        #expect(HTTPParseError.invalidTransferEncoding.status.code == 400)
    }
}
