import EventLoop
import Foundation
import HTTPServer
@testable import ModelServer
import Testing
import TestSupport
@testable import WebSocket

/// `GET /metrics` as a whole: the text format, request metrics labelled by route pattern,
/// and the WebSocket layer's counters (DESIGN §1.9).
struct ServerMetricsTests {
    /// A response record that took `milliseconds` on loop `loop`.
    private func response(_ route: Int?, _ method: HTTPMethod?, loop: Int = 0, status: Int,
                          milliseconds: Int = 0) -> HTTPResponseRecord {
        let start = LoopInstant(nanoseconds: 5_000_000_000)
        return HTTPResponseRecord(route: route, method: method, loop: loop, statusCode: status, startedAt: start,
                                  finishedAt: start.advanced(by: .milliseconds(milliseconds)))
    }

    @Test("every family has HELP and TYPE lines before its samples, and every line parses")
    func textFormatParses() throws {
        let repository = try FixtureRepository()
        let fixture = MetricsFixture(repository: repository)
        let observer = fixture.metrics.makeHTTPObserver(for: HTTPRouter(), loops: 1)
        observer.responseQueued(response(nil, .get, status: 404, milliseconds: 3))
        let text = try fixture.scrape()
        // Per-model families appear with the first model; every other family is there at once.
        for name in MetricName.allCases where ![.modelState, .modelMemory, .loadBytes].contains(name) {
            #expect(text.helps[name.rawValue] == name.help)
            #expect(text.types[name.rawValue] != nil, "no TYPE for \(name.rawValue)")
        }
        #expect(text.types[MetricName.httpRequestDuration.rawValue] == "histogram")
        #expect(text.types[MetricName.webSocketConnections.rawValue] == "gauge")
        #expect(text.types[MetricName.loads.rawValue] == "counter")
    }

    @Test("responses on any loop increment the counter of their route pattern, method and status, and the histogram")
    func responseIncrementsItsCounter() throws {
        let repository = try FixtureRepository()
        let fixture = MetricsFixture(repository: repository)
        var router = HTTPRouter()
        router.add(.get, "/livez", .immediate { _ in .json(.ok, []) })
        router.add(.get, "/v1/models/{id}", .immediate { _ in .json(.ok, []) })
        let observer = fixture.metrics.makeHTTPObserver(for: router, loops: 2)
        // One response on each loop's tally: rendering adds them up.
        for loop in 0..<2 {
            observer.responseQueued(response(1, .get, loop: loop, status: 200, milliseconds: 2))
        }
        observer.responseQueued(response(1, .head, status: 200))
        observer.responseQueued(response(nil, .other("BREW"), status: 405))
        observer.responseQueued(response(nil, nil, status: 400))
        let text = try fixture.scrape()
        let requests = MetricName.httpRequests.rawValue
        #expect(text.value(requests, ["route": "/v1/models/{id}", "method": "GET", "status": "200"]) == 2)
        #expect(text.value(requests, ["route": "/v1/models/{id}", "method": "HEAD", "status": "200"]) == 1)
        #expect(text.value(requests, ["route": "unmatched", "method": "other", "status": "405"]) == 1)
        #expect(text.value(requests, ["route": "unmatched", "method": "other", "status": "400"]) == 1)
        #expect(text.value(requests, ["route": "/livez", "method": "GET", "status": "200"]) == nil)
        let duration = MetricName.httpRequestDuration.rawValue
        #expect(text.value(duration + "_count", ["route": "/v1/models/{id}", "method": "GET"]) == 2)
        #expect(text.value(duration + "_sum", ["route": "/v1/models/{id}", "method": "GET"]) == 0.004)
        #expect(text.value(duration + "_bucket", ["route": "/v1/models/{id}", "method": "GET", "le": "0.001"]) == 0)
        #expect(text.value(duration + "_bucket", ["route": "/v1/models/{id}", "method": "GET", "le": "0.0025"]) == 2)
    }

    @Test("over a real server the route label is the pattern, never the requested path")
    func routeLabelIsThePattern() throws {
        let repository = try FixtureRepository()
        let fixture = MetricsFixture(repository: repository)
        var router = HTTPRouter()
        router.add(.get, "/v1/models/{id}", .immediate { _ in .json(.ok, Array("{}".utf8)) })
        MetricsRoutes.register(in: &router, metrics: fixture.metrics)
        let server = Server(router: router, limits: HTTPLimits(), eventLoops: 1,
                            observer: fixture.metrics.makeHTTPObserver(for: router, loops: 2))
        let port = try server.start(listen: [("127.0.0.1", 0)])[0].port
        defer { server.shutdown(gracePeriod: .seconds(1)) }
        let client = try TCPClient(port: port)
        for id in ["alpha", "beta", "gamma%20delta"] {
            try client.send("GET /v1/models/\(id) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(client.readResponse()?.status == 200)
        }
        try client.send("GET /v1/nothing/here HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.status == 404)
        try client.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.header("Content-Type") == MetricsRoutes.contentType)
        let text = try PrometheusText(parsing: response.text)
        let requests = MetricName.httpRequests.rawValue
        #expect(text.value(requests, ["route": "/v1/models/{id}", "method": "GET", "status": "200"]) == 3)
        #expect(text.value(requests, ["route": "unmatched", "method": "GET", "status": "404"]) == 1)
        let routes = Set(text.samples(named: requests).compactMap { $0.labels["route"] })
        #expect(routes == ["/v1/models/{id}", "unmatched"])
        #expect(!response.text.contains("alpha") && !response.text.contains("/v1/nothing"))
    }

    @Test("WebSocket counters are published when rendered, without counting the same growth twice")
    func webSocketCountersArePublished() throws {
        let repository = try FixtureRepository()
        let fixture = MetricsFixture(repository: repository)
        let counters = fixture.hub.counters
        counters.connectionOpened()
        counters.connectionOpened()
        counters.framesWritten(5)
        counters.messageCoalesced()
        counters.slowConnectionClosed()
        var text = try fixture.scrape()
        #expect(text.value(MetricName.webSocketConnections.rawValue) == 2)
        #expect(text.value(MetricName.webSocketMessagesSent.rawValue) == 5)
        #expect(text.value(MetricName.webSocketProgressCoalesced.rawValue) == 1)
        #expect(text.value(MetricName.webSocketSlowClosed.rawValue) == 1)
        counters.connectionClosed()
        counters.framesWritten(2)
        text = try fixture.scrape()
        text = try fixture.scrape()
        #expect(text.value(MetricName.webSocketConnections.rawValue) == 1)
        #expect(text.value(MetricName.webSocketMessagesSent.rawValue) == 7)
        #expect(text.value(MetricName.webSocketSlowClosed.rawValue) == 1)
    }

    @Test("a tally counts every key right while the key changes, repeats and new keys arrive (its last-key shortcut)")
    func tallyAcrossKeyChanges() {
        let tally = HTTPRequestTally(boundsNanoseconds: [1_000, 1_000_000])
        let sequence = [7, 7, 9, 7, 11, 11, 7, 9, 13, 7]
        for (i, key) in sequence.enumerated() { tally.record(key: key, nanoseconds: i * 400) }
        var totals: [Int: HTTPRequestTally.Cell] = [:]
        tally.addTotals(into: &totals)
        for key in Set(sequence) {
            let positions = sequence.indices.filter { sequence[$0] == key }
            #expect(totals[key]?.count == positions.count, "key \(key)")
            #expect(totals[key]?.nanoseconds == positions.reduce(0) { $0 + $1 * 400 }, "key \(key)")
            #expect(totals[key]?.buckets.reduce(0, +) == positions.count, "key \(key)")
        }
    }
}
