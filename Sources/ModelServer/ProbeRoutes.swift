import HTTPServer

/// The liveness probes of DESIGN §1.1, answered on the event loop.
///
/// Liveness never depends on models: if a loop turns, it answers. The body is built once
/// here, so answering a probe copies a prebuilt response and allocates nothing. Readiness
/// lives with the model routes (`ModelRoutes`), since it reads the loader's snapshot.
enum ProbeRoutes {
    static let liveBody = Array(#"{"status":"ok"}"#.utf8)

    static func register(in router: inout HTTPRouter) {
        let live = HTTPResponse.json(.ok, liveBody)
        for path in ["/livez", "/healthz", "/v2/health/live"] {
            router.add(.get, path, .immediate { _ in live })
        }
    }
}
