import HTTPServer

/// The liveness and readiness probes of DESIGN §1.1, answered on the event loop.
///
/// Liveness never depends on models: if a loop turns, it answers. The bodies are built
/// once here, so answering a probe copies a prebuilt response and allocates nothing.
/// Readiness has no models to wait for until the loader lands, so it reports ready.
enum ProbeRoutes {
    static let liveBody = Array(#"{"status":"ok"}"#.utf8)
    static let readyBody = Array(#"{"status":"ready","ready":true,"models":[]}"#.utf8)

    static func register(in router: inout HTTPRouter) {
        let live = HTTPResponse.json(.ok, liveBody)
        let ready = HTTPResponse.json(.ok, readyBody)
        for path in ["/livez", "/healthz", "/v2/health/live"] {
            router.add(.get, path, .immediate { _ in live })
        }
        for path in ["/readyz", "/v2/health/ready"] {
            router.add(.get, path, .immediate { _ in ready })
        }
    }
}
