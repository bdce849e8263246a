/// Maps method and path to a handler. Patterns are literal segments and `{name}`
/// parameters (`/v1/models/{id}/ready`). Matching compares the request's path bytes with
/// the literal segments in place; strings are made only for captured parameters, so probe
/// routes match without allocating.
///
/// A `GET` route also answers `HEAD` (RFC 9110 §9.3.2). A path that matches some route
/// with another method gets `405` with `Allow`; no match at all gets `404`.
public struct HTTPRouter: Sendable {
    struct Route: Sendable {
        var method: HTTPMethod
        var segments: [Segment]
        var handler: HTTPHandler
    }

    enum Segment: Sendable {
        case literal([UInt8])
        case parameter(String)
    }

    /// The outcome of matching one request.
    public enum Match {
        case found(HTTPHandler, parameters: [String: String])
        case methodNotAllowed(allow: String)
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route. Earlier routes win when two patterns match the same path.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: HTTPHandler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map { part -> Segment in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(Array(part.utf8))
        }
        routes.append(Route(method: method, segments: segments, handler: handler))
    }

    /// Finds the handler for `method` and the path bytes.
    public func match(method: HTTPMethod, path: UnsafeRawBufferPointer) -> Match {
        var allowed: [HTTPMethod] = []
        for route in routes {
            guard var parameters = Self.matches(route.segments, path) else { continue }
            if route.method == method || (method == .head && route.method == .get) {
                if !parameters.isEmpty { parameters = Self.decoded(parameters) }
                return .found(route.handler, parameters: parameters)
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
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
                guard piece.elementsEqual(literal) else { return nil }
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
