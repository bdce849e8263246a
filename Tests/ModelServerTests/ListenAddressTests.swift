import Testing

@testable import ModelServer

struct ListenAddressTests {
    @Test("HOST:PORT parses into host and port")
    func parsesIPv4HostAndPort() throws {
        #expect(try ListenAddress(parsing: "127.0.0.1:8080") == ListenAddress(host: "127.0.0.1", port: 8080))
    }

    @Test("a bracketed IPv6 literal parses without its brackets")
    func parsesBracketedIPv6() throws {
        let address = try ListenAddress(parsing: "[::1]:9000")
        #expect(address == ListenAddress(host: "::1", port: 9000))
        #expect(address.isIPv6)
    }

    @Test(":PORT means all IPv4 interfaces")
    func emptyHostMeansAllInterfaces() throws {
        #expect(try ListenAddress(parsing: ":8080") == ListenAddress(host: "0.0.0.0", port: 8080))
    }

    @Test("port 0 is allowed so the kernel picks a free port")
    func portZeroIsAllowed() throws {
        #expect(try ListenAddress(parsing: "127.0.0.1:0").port == 0)
    }

    @Test("a host name is accepted")
    func acceptsHostName() throws {
        #expect(try ListenAddress(parsing: "localhost:80").host == "localhost")
        #expect(try ListenAddress(parsing: "api-1.example.com:443").host == "api-1.example.com")
    }

    @Test("the highest port is 65535")
    func acceptsHighestPort() throws {
        #expect(try ListenAddress(parsing: ":65535").port == 65535)
    }

    @Test(
        "malformed addresses are rejected with the reason",
        arguments: [
            ("127.0.0.1", ListenAddress.ParseError.missingPort("127.0.0.1")),
            ("", .missingPort("")),
            ("127.0.0.1:", .invalidPort("")),
            ("127.0.0.1:65536", .invalidPort("65536")),
            ("127.0.0.1:http", .invalidPort("http")),
            ("127.0.0.1:-1", .invalidPort("-1")),
            ("127.0.0.1:+80", .invalidPort("+80")),
            ("::1:8080", .unbracketedIPv6("::1:8080")),
            ("[::1:8080", .invalidHost("[::1")),
            ("[zz::1]:8080", .invalidHost("zz::1")),
            ("[]:8080", .invalidHost("[]")),
            ("bad_host!:80", .invalidHost("bad_host!")),
            ("999.1.1.1:80", .invalidHost("999.1.1.1")),
            ("-leading.example:80", .invalidHost("-leading.example")),
            ("a..b:80", .invalidHost("a..b")),
        ]
    )
    func rejectsMalformed(text: String, expected: ListenAddress.ParseError) {
        #expect(throws: expected) { try ListenAddress(parsing: text) }
    }

    @Test("the description parses back to the same address")
    func descriptionRoundTrips() throws {
        for text in ["127.0.0.1:8080", "[::1]:0", "[fe80::1]:443", "localhost:1"] {
            let address = try ListenAddress(parsing: text)
            #expect(address.description == text)
            #expect(try ListenAddress(parsing: address.description) == address)
        }
    }

    @Test("error descriptions say what was expected and what was given")
    func errorDescriptionsAreSentences() {
        #expect(
            ListenAddress.ParseError.invalidPort("70000").description
                == "expected a port from 0 to 65535, got \"70000\"")
        #expect(
            ListenAddress.ParseError.missingPort("x").description
                == "expected HOST:PORT, [IPv6]:PORT or :PORT, got \"x\"")
    }
}
