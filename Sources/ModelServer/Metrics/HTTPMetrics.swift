import EventLoop
import HTTPServer

/// Request metrics: `modeld_http_requests_total{route,method,status}` and
/// `modeld_http_request_duration_seconds{route,method}`, fed by the HTTP server's observer
/// hook on every response.
///
/// The route label is the pattern the router matched (`/v1/models/{id}`), or `unmatched`
/// (404, 405, and requests that failed before routing), never the raw path: a path's values
/// are unbounded, patterns are not. Methods outside RFC 9110's common set, and requests whose
/// method was never parsed, are labelled `other`.
///
/// Cost, measured (release, `wrk` on keep-alive `/livez`, one loop): the probe path stays at
/// zero allocations, and the hook plus this observer take about 1.5 % of the server's CPU
/// (`perf` samples). The first design, a cached swift-metrics `Counter` and `Timer` per key,
/// cost about 155 ns per response on one thread (two thirds in the histogram's lock) and
/// 300–450 ns once two loops wrote the same series; a per-loop `HTTPRequestTally` under an
/// uncontended lock costs 30–60 ns. So each loop keeps its own tally, the tallies are added
/// up when `/metrics` is rendered, and these two families are written here rather than
/// through the swift-metrics registry, which can only take histogram observations one at a
/// time.
final class HTTPMetrics: HTTPRequestObserver {
    static let unmatchedRoute = "unmatched"
    /// Method labels by index; the last one is `other`.
    static let methodLabels = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "other"]

    /// Route labels by route number, then `unmatched`.
    let routeLabels: [String]
    let boundsNanoseconds: [Int]
    private let tallies: [HTTPRequestTally]

    /// - Parameters:
    ///   - patterns: the router's routes (`HTTPRouter.patterns`), whose numbers the server reports.
    ///   - loops: the server's event loops, one tally each.
    init(patterns: [String], loops: Int) {
        routeLabels = patterns + [Self.unmatchedRoute]
        let bounds = (MetricName.httpRequestDuration.buckets ?? []).map { Int($0.nanosecondsClamped) }
        boundsNanoseconds = bounds
        tallies = (0..<max(1, loops)).map { _ in HTTPRequestTally(boundsNanoseconds: bounds) }
    }

    func responseQueued(_ response: HTTPResponseRecord) {
        let route = min(response.route ?? routeLabels.count - 1, routeLabels.count - 1)
        let key = Self.key(route: route, method: Self.methodIndex(response.method), status: response.statusCode)
        let (started, finished) = (response.startedAt.nanoseconds, response.finishedAt.nanoseconds)
        let nanoseconds = finished > started ? Int(truncatingIfNeeded: finished - started) : 0
        tallies[response.loop % tallies.count].record(key: key, nanoseconds: nanoseconds)
    }

    /// Every loop's totals, added up, by key.
    func totals() -> [Int: HTTPRequestTally.Cell] {
        var totals: [Int: HTTPRequestTally.Cell] = [:]
        for tally in tallies { tally.addTotals(into: &totals) }
        return totals
    }

    /// Packs (route, method, status); statuses are below 1000.
    static func key(route: Int, method: Int, status: Int) -> Int {
        (route * methodLabels.count + method) * 1000 + status
    }

    /// The parts of a key made by `key(route:method:status:)`.
    static func parts(of key: Int) -> (route: Int, method: Int, status: Int) {
        (key / 1000 / methodLabels.count, key / 1000 % methodLabels.count, key % 1000)
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
