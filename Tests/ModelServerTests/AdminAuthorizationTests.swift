import HTTPServer
@testable import ModelServer
import Testing

struct AdminAuthorizationTests {
    let auth = AdminAuthorization(token: Array("s3cret".utf8))

    @Test("without a configured token mutating endpoints are off: 403 admin_disabled, whatever is sent")
    func noTokenRefusesAll() throws {
        let off = AdminAuthorization(token: nil)
        for headers in [[], [("Authorization", "Bearer anything")], [("Authorization", "Bearer ")]] {
            let refusal = try #require(off.refusal(for: HTTPRequest(method: .post, path: "/x", headers: headers)))
            #expect(refusal.status == .forbidden)
            #expect(refusal.code == "admin_disabled")
            #expect(refusal.message.contains("--admin-token-file"))
            #expect(refusal.headers.isEmpty)
        }
        let response = try #require(off.check(HTTPRequest(method: .post, path: "/x")))
        #expect(String(decoding: response.body, as: UTF8.self).contains(#""code":"admin_disabled""#))
    }

    @Test("a missing Authorization header gets 401 with WWW-Authenticate")
    func missingTokenGets401() throws {
        let response = try #require(auth.check(HTTPRequest(method: .post, path: "/x")))
        #expect(response.status == .unauthorized)
        #expect(response.headers.contains { $0.name == "WWW-Authenticate" })
    }

    @Test("a wrong token gets 403 and the right one passes")
    func wrongTokenGets403() {
        let wrong = HTTPRequest(method: .post, path: "/x", headers: [("Authorization", "Bearer s3cres")])
        #expect(auth.check(wrong)?.status == .forbidden)
        let right = HTTPRequest(method: .post, path: "/x", headers: [("authorization", "bearer s3cret")])
        #expect(auth.check(right) == nil)
    }

    @Test("tokens of different lengths never compare equal")
    func lengthMismatchIsUnequal() {
        #expect(!AdminAuthorization.constantTimeEquals(Array("abc".utf8), Array("abcd".utf8)))
        #expect(AdminAuthorization.constantTimeEquals(Array("abcd".utf8), Array("abcd".utf8)))
    }
}
