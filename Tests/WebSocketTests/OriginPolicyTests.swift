import Testing
@testable import WebSocket

/// The `Origin` check of the WebSocket handshake (DESIGN §1.4): no `Origin` and same-origin
/// pass, listed origins pass, `*` passes everything, the rest is refused.
struct OriginPolicyTests {
    static func allows(_ policy: OriginPolicy, origin: String?, host: String?) -> Bool {
        policy.allows(origins: origin.map { [Array($0.utf8)] } ?? [], hosts: host.map { [Array($0.utf8)] } ?? [])
    }

    @Test("same origin: host and port equal Host's, the scheme's default port filled in", arguments: [
        ("http://example.com", "example.com"),
        ("http://example.com", "example.com:80"),
        ("http://example.com:80", "example.com"),
        ("ws://example.com", "example.com:80"),
        ("https://example.com", "example.com"),
        ("https://example.com", "example.com:443"),
        ("wss://example.com:443", "example.com"),
        ("http://127.0.0.1:8080", "127.0.0.1:8080"),
        ("http://localhost:8080", "localhost:8080"),
        ("HTTP://Example.COM:8080", "example.com:8080"),
        ("http://example.com:8080", "EXAMPLE.com:8080"),
        ("http://[::1]:8080", "[::1]:8080"),
        ("http://[::1]", "[::1]:80"),
        ("https://[2001:DB8::1]", "[2001:db8::1]:443"),
    ])
    func sameOriginPasses(origin: String, host: String) {
        #expect(OriginPolicy.isSameOrigin(origin: Array(origin.utf8), host: Array(host.utf8)))
        #expect(Self.allows(.sameOriginOnly, origin: origin, host: host))
    }

    @Test("another host, another port or another default port is a different origin", arguments: [
        ("http://evil.example", "example.com"),
        ("http://example.com.evil.example", "example.com"),
        ("http://example.com:8081", "example.com:8080"),
        ("http://example.com", "example.com:8080"),
        ("http://example.com:8080", "example.com"),
        ("https://example.com", "example.com:80"),
        ("http://example.com", "example.com:443"),
        ("http://[::1]:8080", "[::2]:8080"),
        ("http://[::1]:8080", "127.0.0.1:8080"),
        ("http://localhost:8080", "127.0.0.1:8080"),
    ])
    func otherOriginRefused(origin: String, host: String) {
        #expect(!OriginPolicy.isSameOrigin(origin: Array(origin.utf8), host: Array(host.utf8)))
        #expect(!Self.allows(.sameOriginOnly, origin: origin, host: host))
    }

    @Test("null, other schemes and garbage are never same-origin", arguments: [
        "null", "", "example.com", "//example.com", "http:/example.com", "http://", "http://:8080",
        "ftp://example.com", "file://example.com", "chrome-extension://example.com",
        "http://example.com/", "http://example.com/path", "http://user@example.com", "http://example.com?x",
        "http://example.com:", "http://example.com:0x50", "http://example.com:65536", "http://example.com:123456",
        "http://example.com:-80", "http://example .com", "http://[::1", "http://[::1]x", "http://[]", "http://[::g]",
        "http://example.com\u{0}", "http://exa\u{7F}mple.com",
    ])
    func garbageRefused(origin: String) {
        #expect(!OriginPolicy.isSameOrigin(origin: Array(origin.utf8), host: Array("example.com".utf8)))
        #expect(!Self.allows(.sameOriginOnly, origin: origin, host: "example.com"))
    }

    @Test("a Host that is not host[:port] matches no origin", arguments: [
        "", "example.com:", "example.com:http", "example.com:99999", "[::1", "exa mple.com", "example.com/x",
    ])
    func garbageHostRefused(host: String) {
        #expect(!Self.allows(.sameOriginOnly, origin: "http://example.com", host: host))
    }

    @Test("no Origin passes under every policy; an Origin with no Host is never same-origin")
    func absentFields() {
        #expect(Self.allows(.sameOriginOnly, origin: nil, host: "example.com"))
        #expect(Self.allows(.sameOriginOnly, origin: nil, host: nil))
        #expect(!Self.allows(.sameOriginOnly, origin: "http://example.com", host: nil))
    }

    @Test("a repeated Origin or Host field is refused unless * is listed")
    func repeatedFields() {
        let origin = Array("http://example.com".utf8)
        let host = Array("example.com".utf8)
        #expect(!OriginPolicy.sameOriginOnly.allows(origins: [origin, origin], hosts: [host]))
        #expect(!OriginPolicy.sameOriginOnly.allows(origins: [origin], hosts: [host, host]))
        #expect(OriginPolicy.anyOrigin.allows(origins: [origin, origin], hosts: [host]))
    }

    @Test("listed origins pass by exact, case-insensitive match; nothing looser")
    func listedOrigins() {
        let policy = OriginPolicy(allowedOrigins: ["https://Dash.Example.com", "http://10.0.0.5:8080", "null"])
        #expect(Self.allows(policy, origin: "https://dash.example.com", host: "api.example.com"))
        #expect(Self.allows(policy, origin: "HTTPS://DASH.EXAMPLE.COM", host: "api.example.com"))
        #expect(Self.allows(policy, origin: "http://10.0.0.5:8080", host: "api.example.com"))
        #expect(Self.allows(policy, origin: "null", host: "api.example.com"))
        #expect(!Self.allows(policy, origin: "https://dash.example.com:443", host: "api.example.com"))
        #expect(!Self.allows(policy, origin: "http://dash.example.com", host: "api.example.com"))
        #expect(!Self.allows(policy, origin: "https://evil.dash.example.com", host: "api.example.com"))
        #expect(!Self.allows(policy, origin: "http://10.0.0.5", host: "api.example.com"))
        #expect(!Self.allows(.sameOriginOnly, origin: "null", host: "api.example.com"))
    }

    @Test("* allows every origin, null and garbage included")
    func starAllowsAny() {
        let policy = OriginPolicy(allowedOrigins: ["https://a.example", "*"])
        #expect(policy.allowsAnyOrigin)
        for origin in ["http://evil.example", "null", "garbage", ""] {
            #expect(Self.allows(policy, origin: origin, host: "example.com"), "\(origin)")
        }
        #expect(OriginPolicy(allowedOrigins: []) == .sameOriginOnly)
    }

    @Test("list entries must be origins as browsers send them, null or *")
    func listEntryValidation() {
        for valid in ["*", "null", "NULL", "https://dash.example.com", "http://10.0.0.5:8080", "http://[::1]:8080", "app+x://h"] {
            #expect(OriginPolicy.isValidListEntry(valid), "\(valid)")
        }
        for invalid in ["", "dash.example.com", "https://dash.example.com/", "https://x.example/path", "https://",
                        "*.example.com", "https://x.example:99999", "://x.example", "https://u@x.example"] {
            #expect(!OriginPolicy.isValidListEntry(invalid), "\(invalid)")
        }
    }
}
