@testable import HTTPServer
import Testing

struct HTTPParseErrorTests {
    @Test("each error maps to the status DESIGN §1.8 gives it")
    func statusMapping() {
        let expected: [HTTPParseError: Int] = [
            .malformedRequestLine: 400, .invalidTarget: 400, .invalidMethod: 400, .malformedHeader: 400, .missingHost: 400,
            .duplicateHost: 400, .invalidHost: 400, .headerSectionTooLarge: 431, .tooManyHeaders: 431,
            .uriTooLong: 414, .bodyTooLarge: 413, .invalidContentLength: 400, .conflictingLength: 400,
            .unsupportedTransferEncoding: 501, .invalidTransferEncoding: 400, .invalidChunk: 400,
            .unsupportedVersion: 505,
        ]
        #expect(expected.count == HTTPParseError.allCases.count)
        for error in HTTPParseError.allCases {
            #expect(error.status.code == expected[error], "\(error)")
        }
    }

    @Test("codes are unique snake_case and every message is one sentence")
    func codesAndMessages() {
        let codes = HTTPParseError.allCases.map(\.code)
        #expect(Set(codes).count == codes.count)
        for error in HTTPParseError.allCases {
            #expect(error.code.allSatisfy { $0.isLowercase || $0 == "_" }, "\(error.code)")
            #expect(error.message.hasSuffix("."), "\(error)")
            #expect(!error.message.contains(error.code))
        }
    }

    @Test("the token table matches RFC 9110 §5.6.2 tchar exactly")
    func tokenTable() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(HTTPSyntax.isTokenByte(byte) == tchar.contains(byte), "byte \(byte)")
        }
    }

    @Test("field values allow VCHAR, obs-text, SP and HTAB and no other control")
    func fieldValueTable() {
        for byte in UInt8.min...UInt8.max {
            let allowed = byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
            #expect(HTTPSyntax.isFieldValueByte(byte) == allowed, "byte \(byte)")
        }
    }
}
