import HTTPServer
import Testing

/// The request-target forms of RFC 9112 §3.2 and the Host rules that go with them, each
/// fed whole, byte by byte and in random splits.
struct HTTPHeadParserTargetTests {
    @Test("absolute-form (RFC 9112 §3.2.2 example) is routed by its path; the authority is kept")
    func absoluteFormExample() {
        let head = expectHead("GET http://www.example.org/pub/WWW/TheProject.html HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
        #expect(head?.target == "http://www.example.org/pub/WWW/TheProject.html")
        #expect(head?.path == "/pub/WWW/TheProject.html")
        #expect(head?.query == nil)
        #expect(head?.authority == "www.example.org")
    }

    @Test("absolute-form with a port and a query splits path, query and authority")
    func absoluteFormWithQuery() {
        let head = expectHead("GET http://www.example.org:8080/where?q=now HTTP/1.1\r\nHost: www.example.org:8080\r\n\r\n")
        #expect(head?.path == "/where")
        #expect(head?.query == "q=now")
        #expect(head?.authority == "www.example.org:8080")
    }

    @Test("absolute-form with an empty path (RFC 9112 §3.2.4's OPTIONS example) has an empty path")
    func absoluteFormEmptyPath() {
        let options = expectHead("OPTIONS http://www.example.org:8001 HTTP/1.1\r\nHost: www.example.org:8001\r\n\r\n")
        #expect(options?.path == "")
        #expect(options?.query == nil)
        #expect(options?.authority == "www.example.org:8001")
        let query = expectHead("GET http://h?x=1 HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(query?.path == "")
        #expect(query?.query == "x=1")
        #expect(query?.authority == "h")
    }

    @Test("the scheme is case-insensitive, https is accepted, and IPv6 literals are authorities")
    func schemesAndHosts() {
        #expect(expectHead("GET HTTP://Example.COM/a HTTP/1.1\r\nHost: x\r\n\r\n")?.authority == "Example.COM")
        #expect(expectHead("GET https://example.com:443/a HTTP/1.1\r\nHost: x\r\n\r\n")?.path == "/a")
        #expect(expectHead("GET http://[::1]:8080/livez HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n")?.authority == "[::1]:8080")
    }

    @Test("with absolute-form the target's authority wins over a different Host (RFC 9112 §3.2.2)")
    func authorityReplacesHost() {
        let head = expectHead("GET http://a.example/livez HTTP/1.1\r\nHost: b.example\r\n\r\n")
        #expect(head?.authority == "a.example")
        #expect(head?.fields == [.init(name: "Host", value: "b.example")])
    }

    @Test("origin-form has no authority, and asterisk- and authority-form stay whole")
    func otherForms() {
        #expect(expectHead("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")?.authority == nil)
        let asterisk = expectHead("OPTIONS * HTTP/1.1\r\nHost: www.example.org:8001\r\n\r\n")
        #expect(asterisk?.path == "*")
        #expect(asterisk?.authority == nil)
        let connect = expectHead("CONNECT www.example.com:80 HTTP/1.1\r\nHost: www.example.com:80\r\n\r\n")
        #expect(connect?.path == "www.example.com:80")
    }

    @Test("a target of no RFC 9112 form, another scheme, or no valid authority is 400 invalid_target")
    func invalidTargets() {
        for target in ["livez", "ftp://h/x", "http:/x", "http://", "http:///livez", "http://?q", "http://user@h/x",
                       "http://h{}/x", "mailto:a@b", "*x"] {
            expectFailure("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget)
        }
        #expect(HTTPParseError.invalidTarget.status.code == 400)
        #expect(HTTPParseError.invalidTarget.code == "invalid_target")
    }

    @Test("absolute-form does not lift the Host rules: none in HTTP/1.1, or two, is 400 (RFC 9112 §3.2)")
    func hostRulesStillApply() {
        expectFailure("GET http://h/livez HTTP/1.1\r\n\r\n", .missingHost)
        expectFailure("GET http://h/livez HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", .duplicateHost)
        expectFailure("GET http://h/livez HTTP/1.1\r\nHost: a b\r\n\r\n", .invalidHost)
        // HTTP/1.0 needs no Host; the target's authority names the host.
        #expect(expectHead("GET http://h/livez HTTP/1.0\r\n\r\n")?.authority == "h")
    }
}
