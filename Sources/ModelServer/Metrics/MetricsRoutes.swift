import HTTPServer

/// `GET /metrics`: every metric in the Prometheus text format (DESIGN §1.5, §1.9).
///
/// Answered on the loop: rendering copies a few hundred values into one buffer, cheaper than
/// a hop off the loop and back. It needs no admin token, like the probes: it reveals model
/// ids and traffic counts but changes nothing, so operators who want it private restrict
/// it by network (a scrape-only listener address or a firewall rule), as for any exporter.
enum MetricsRoutes {
    /// The media type of the text exposition format, version 0.0.4.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func register(in router: inout HTTPRouter, metrics: ServerMetrics) {
        router.add(.get, "/metrics", .immediate { _ in
            HTTPResponse(status: .ok, contentType: contentType, body: metrics.render())
        })
    }
}
