import Foundation
@testable import ModelServer
import Testing
import TestSupport

/// The dashboard's routes over a real socket (DESIGN §1.5): what the browser gets, and that
/// the page, its stylesheet and its script fit together and load nothing from elsewhere.
@Suite(.serialized)
struct DashboardRoutesTests {
    @Test("GET / answers 200 text/html with a strict CSP, no-cache and a progressbar template")
    func pageAnswersWithPolicy() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("m", weightBytes: 64)
        try await withHarness(repository) { harness async throws in
            let page = try await harness.request("GET", "/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.header("Cache-Control") == "no-cache")
            #expect(page.header("X-Content-Type-Options") == "nosniff")
            let policy = try #require(page.header("Content-Security-Policy"))
            let directives = Set(policy.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(directives.contains("default-src 'none'"))
            #expect(directives.contains("script-src 'self'"))
            #expect(directives.contains("style-src 'self'"))
            #expect(directives.contains("connect-src 'self'"))
            #expect(directives.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
            #expect(page.text.contains(#"role="progressbar""#))
            #expect(page.text.contains(#"aria-valuemin="0" aria-valuemax="100""#))
        }
    }

    @Test("the page's own assets are served with their types and the same policy")
    func assetsAnswerWithTypes() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("m", weightBytes: 64)
        try await withHarness(repository) { harness async throws in
            let expected = ["/dashboard.css": "text/css; charset=utf-8", "/dashboard.js": "text/javascript; charset=utf-8",
                            "/favicon.svg": "image/svg+xml"]
            for (path, type) in expected {
                let response = try await harness.request("GET", path)
                #expect(response.status == 200, "\(path)")
                #expect(response.header("Content-Type") == type, "\(path)")
                #expect(response.header("Content-Security-Policy") == DashboardRoutes.contentSecurityPolicy, "\(path)")
                #expect(!response.body.isEmpty, "\(path)")
            }
            let head = try await harness.request("HEAD", "/")
            #expect(head.status == 200 && head.body.isEmpty)
            #expect(head.header("Content-Length") == String(DashboardPage.html.utf8.count))
        }
    }

    @Test("neither the page, nor its stylesheet, nor its script names an http:// or https:// URL")
    func noExternalResources() {
        for (name, text) in [("page", DashboardPage.html), ("style", DashboardStyle.css), ("script", DashboardScript.source)] {
            #expect(!text.contains("http://") && !text.contains("https://"), "\(name) refers to another origin")
            #expect(!text.contains("@import") && !text.contains("url("), "\(name) loads a resource by URL")
        }
        // Everything the page links to is one of its own routes.
        for link in attributeValues(named: "href", in: DashboardPage.html) + attributeValues(named: "src", in: DashboardPage.html) {
            #expect(["/dashboard.css", "/dashboard.js", "/favicon.svg"].contains(link), "unexpected link \(link)")
        }
    }

    @Test("the page has no inline script, style or event handler, which the CSP would block")
    func nothingInline() {
        let page = DashboardPage.html
        #expect(!page.contains("<style"))
        #expect(!page.contains(" style="))
        #expect(!page.contains(" onclick=") && !page.contains(" onload=") && !page.contains(" onsubmit="))
        let scripts = page.components(separatedBy: "<script").dropFirst()
        #expect(scripts.count == 1)
        #expect(scripts.allSatisfy { $0.hasPrefix(#" type="module" src="/dashboard.js"></script>"#) })
    }

    @Test("every element id and class the script looks up exists in the page")
    func scriptMatchesPage() {
        let script = DashboardScript.source
        let ids = captures(of: #"getElementById\("([^"]+)"\)"#, in: script)
        #expect(ids.count >= 10)
        for id in ids {
            #expect(DashboardPage.html.contains("id=\"\(id)\""), "no element with id \(id)")
        }
        let classes = captures(of: #"slot\("\.([a-z-]+)"\)"#, in: script)
        #expect(classes.count >= 10)
        for name in classes {
            #expect(DashboardPage.html.contains("class=\"\(name)\"") || DashboardPage.html.contains("class=\"\(name) "),
                    "no element with class \(name)")
        }
        for action in ["load", "cancel", "unload"] {
            #expect(DashboardPage.html.contains("data-action=\"\(action)\""))
        }
    }

    @Test("the script joins the models room on its own origin and polls /v1/models as the fallback")
    func scriptUsesOwnEndpoints() {
        let script = DashboardScript.source
        #expect(script.contains("/ws?room=models"))
        #expect(script.contains("location.host"))
        #expect(script.contains(#"fetch("/v1/models""#))
        #expect(script.contains("model_load_started"))
    }

    private func attributeValues(named name: String, in html: String) -> [String] {
        captures(of: " \(name)=\"([^\"]*)\"", in: html)
    }

    private func captures(of pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
