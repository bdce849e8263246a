import HTTPServer
import Testing

/// `HTTPRequest.queryValues`: how a query string is split and decoded.
@Suite struct HTTPRequestQueryTests {
    private func request(query: String) -> HTTPRequest {
        HTTPRequest(method: .get, path: "/", query: query)
    }

    @Test("values are form-decoded and every occurrence is returned in order")
    func decodedInOrder() {
        let query = request(query: "room=model%3Aa&x=1&room=b+c&room")
        #expect(query.queryValues("room") == ["model:a", "b c", ""])
        #expect(query.queryValues("x") == ["1"])
        #expect(query.queryValues("missing").isEmpty)
    }

    @Test("\"&\" and \"=\" separate even when a combining mark follows them (one Character with it)")
    func separatorsFollowedByCombiningMarks() {
        let query = request(query: "a=1&\u{0301}room=x&room=\u{0301}y")
        #expect(query.queryValues("a") == ["1"])
        #expect(query.queryValues("\u{0301}room") == ["x"])
        #expect(query.queryValues("room") == ["\u{0301}y"])
    }
}
