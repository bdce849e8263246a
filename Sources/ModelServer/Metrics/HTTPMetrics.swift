import CoreMetrics
import HTTPServer
import Synchronization

/// Request metrics: `modeld_http_requests_total{route,method,status}` and
/// `modeld_http_request_duration_seconds{route,method}`, fed by the HTTP server's observer
/// hook on every response.
///
/// The route label is the pattern the router matched (`/v1/models/{id}`), or `unmatched`
/// (404, 405, and requests that failed before routing), never the raw path: a path's values
/// are unbounded, patterns are not. Methods outside RFC 9110's common set, and requests whose
/// method was never parsed, are labelled `other`.
///
/// Cost: it runs on the loop for every probe, which allocates nothing (DESIGN §2.3). The
/// swift-metrics handles of each (route, method, status) are made on first use and then
/// found by one integer key under a short lock, so the steady state is a dictionary lookup,
/// an atomic add and a histogram update; nothing allocates.
final class HTTPMetrics: HTTPRequestObserver {
    static let unmatchedRoute = "unmatched"
    /// Method labels by index; the last one is `other`.
    static let methodLabels = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "other"]

    private struct Handles: Sendable {
        let requests: CoreMetrics.Counter
        let duration: CoreMetrics.Timer
    }

    private let factory: any MetricsFactory
    /// Route labels by route number, then `unmatched`.
    private let routeLabels: [String]
    private let handles = Mutex<[Int: Handles]>([:])

    /// - Parameter patterns: the router's routes (`HTTPRouter.patterns`), whose numbers the
    ///   server reports.
    init(factory: any MetricsFactory, patterns: [String]) {
        self.factory = factory
        routeLabels = patterns + [Self.unmatchedRoute]
    }

    func responseQueued(_ response: HTTPResponseRecord) {
        let route = response.route.map { min($0, routeLabels.count - 1) } ?? routeLabels.count - 1
        let method = Self.methodIndex(response.method)
        let key = (route * Self.methodLabels.count + method) * 1000 + response.statusCode
        let found = handles.withLock { $0[key] } ?? makeHandles(key: key, route: route, method: method,
                                                                  status: response.statusCode)
        found.requests.increment()
        let (seconds, attoseconds) = response.duration.components
        found.duration.recordNanoseconds(seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000)
    }

    /// Creates (once per key; the registry returns the same series if two loops race) the
    /// counter of `(route, method, status)` and the timer of `(route, method)`.
    private func makeHandles(key: Int, route: Int, method: Int, status: Int) -> Handles {
        let routeLabel = (MetricName.Label.route, routeLabels[route])
        let methodLabel = (MetricName.Label.method, Self.methodLabels[method])
        let made = Handles(
            requests: CoreMetrics.Counter(label: MetricName.httpRequests.rawValue,
                                          dimensions: [routeLabel, methodLabel, (MetricName.Label.status, String(status))],
                                          factory: factory),
            duration: CoreMetrics.Timer(label: MetricName.httpRequestDuration.rawValue,
                                        dimensions: [routeLabel, methodLabel], factory: factory))
        return handles.withLock { cache in
            if let existing = cache[key] { return existing }
            cache[key] = made
            return made
        }
    }

    private static func methodIndex(_ method: HTTPMethod?) -> Int {
        switch method {
        case .get?: 0
        case .head?: 1
        case .post?: 2
        case .put?: 3
        case .delete?: 4
        case .options?: 5
        case .patch?: 6
        case .other?, nil: 7
        }
    }
}
