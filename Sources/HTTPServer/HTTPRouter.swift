/// Maps method and path to a handler. Patterns are literal segments and `{name}`
/// parameters (`/v1/models/{id}/ready`). Matching compares the request's path bytes with
/// the literal segments in place; strings are made only for captured parameters, so probe
/// routes match without allocating.
///
/// A `GET` route also answers `HEAD` (RFC 9110 §9.3.2). A path that matches some route
/// with another method gets `405` with `Allow`; no match at all gets `404`.
///
/// Routes are numbered in the order they were added; a match names its route's number, so
/// an observer can label a response with the pattern (`/v1/models/{id}`), never the raw
/// path, whose values are unbounded.
public struct HTTPRouter: Sendable {
    struct Route: Sendable {
        var method: HTTPMethod
        var pattern: String
        var segments: [Segment]
        var handler: HTTPHandler
    }

    enum Segment: Sendable {
        case literal([UInt8])
        case parameter(String)
    }

    /// The outcome of matching one request.
    public enum Match {
        /// Route number `route` (an index into `patterns`) answers.
        case found(HTTPHandler, parameters: [String: String], route: Int)
        case methodNotAllowed(allow: String)
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    /// Every route's method and pattern, in the order added (route numbers index it).
    public var patterns: [(method: HTTPMethod, pattern: String)] {
        routes.map { ($0.method, $0.pattern) }
    }

    /// Adds a route. Earlier routes win when two patterns match the same path.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: HTTPHandler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map { part -> Segment in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(Array(part.utf8))
        }
        routes.append(Route(method: method, pattern: pattern, segments: segments, handler: handler))
    }

    /// Finds the handler for `method` and the path bytes.
    public func match(method: HTTPMethod, path: UnsafeRawBufferPointer) -> Match {
        var allowed: [HTTPMethod] = []
        // By index, not `for route in routes`: that copies each route (a retain per field).
        for index in routes.indices {
            guard var parameters = Self.matches(routes[index].segments, path) else { continue }
            let routeMethod = routes[index].method
            if routeMethod == method || (method == .head && routeMethod == .get) {
                if !parameters.isEmpty { parameters = Self.decoded(parameters) }
                return .found(routes[index].handler, parameters: parameters, route: index)
            }
            if !allowed.contains(routeMethod) { allowed.append(routeMethod) }
        }
        guard !allowed.isEmpty else { return .notFound }
        if allowed.contains(.get) && !allowed.contains(.head) { allowed.append(.head) }
        return .methodNotAllowed(allow: allowed.map(\.name).joined(separator: ", "))
    }

    /// Returns captured (still encoded) parameters if `path` matches, nil otherwise.
    private static func matches(_ segments: [Segment], _ path: UnsafeRawBufferPointer) -> [String: String]? {
        var parameters: [String: String] = [:]
        var position = 0
        let slash = UInt8(ascii: "/")
        for segment in segments {
            while position < path.count && path[position] == slash { position += 1 }
            guard position < path.count else { return nil }
            var end = position
            while end < path.count && path[end] != slash { end += 1 }
            let piece = UnsafeRawBufferPointer(rebasing: path[position..<end])
            switch segment {
            case .literal(let literal):
                guard HTTPSyntax.equals(piece, literal) else { return nil }
            case .parameter(let name):
                parameters[name] = String(decoding: piece, as: UTF8.self)
            }
            position = end
        }
        while position < path.count && path[position] == slash { position += 1 }
        return position == path.count ? parameters : nil
    }

    private static func decoded(_ parameters: [String: String]) -> [String: String] {
        parameters.mapValues { PercentDecoding.decode(Substring($0)) ?? $0 }
    }
}
