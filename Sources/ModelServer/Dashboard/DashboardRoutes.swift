import HTTPServer

/// The dashboard of DESIGN §1.5: `GET /` (the page), `GET /dashboard.css`,
/// `GET /dashboard.js` and `GET /favicon.svg`, shipped inside the binary.
///
/// The responses are built once, on first use, and answered on the event loop like a probe:
/// no file is read, nothing is rendered per request. The page loads nothing but these three
/// files and talks only to its own origin (`/ws?room=models`, `/v1/models`, the commands),
/// which the `Content-Security-Policy` enforces: no inline script or style, no other host, no
/// frames, no forms that navigate. `Cache-Control: no-cache` makes a browser ask again on
/// every visit, so an upgraded daemon never runs with last version's script. There is no
/// `ETag`: the bodies together are about 25 KiB and a 304 would save little.
enum DashboardRoutes {
    /// The policy of every dashboard response. `connect-src 'self'` alone: CSP Level 3
    /// browsers (every current one) count a same-origin `ws:`/`wss:` URL as `'self'`, and
    /// listing `ws:` `wss:` would let an injected script talk to any WebSocket host.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// `GET /`: the page.
    static let page = asset(DashboardPage.html, contentType: "text/html; charset=utf-8")
    /// `GET /dashboard.css`: the stylesheet.
    static let style = asset(DashboardStyle.css, contentType: "text/css; charset=utf-8")
    /// `GET /dashboard.js`: the script (an ES module).
    static let script = asset(DashboardScript.source, contentType: "text/javascript; charset=utf-8")
    /// `GET /favicon.svg`: the tab icon.
    static let icon = asset(DashboardIcon.svg, contentType: "image/svg+xml")

    /// Adds the dashboard's routes to `router`.
    static func register(in router: inout HTTPRouter) {
        let page = page, style = style, script = script, icon = icon
        router.add(.get, "/", .immediate { _ in page })
        router.add(.get, "/dashboard.css", .immediate { _ in style })
        router.add(.get, "/dashboard.js", .immediate { _ in script })
        router.add(.get, "/favicon.svg", .immediate { _ in icon })
    }

    private static func asset(_ text: String, contentType: String) -> HTTPResponse {
        HTTPResponse(status: .ok, contentType: contentType, headers: [
            ("Content-Security-Policy", contentSecurityPolicy),
            ("Cache-Control", "no-cache"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
        ], body: Array(text.utf8))
    }
}
