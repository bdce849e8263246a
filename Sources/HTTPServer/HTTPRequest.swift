/// A request as handlers see it: owned copies of the method, path, query, header fields and
/// body, plus the parameters the router captured. Built only for routes that need it;
/// probes are answered from the raw bytes without one.
public struct HTTPRequest: Sendable {
    /// The method.
    public var method: HTTPMethod
    /// The path, percent-encoded as received, without the query.
    public var path: String
    /// The query string after `?`, if any.
    public var query: String?
    /// Header fields in order, names as received.
    public var headers: [(name: String, value: String)]
    /// The decoded body (after chunked decoding).
    public var body: [UInt8]
    /// Values captured by `{name}` segments of the route, percent-decoded.
    public var pathParameters: [String: String]
    /// The request's HTTP version.
    public var version: HTTPVersion = .http1_1
    /// The authority of an absolute-form request-target (`GET http://host:port/path`);
    /// nil when the target was a plain path.
    public var targetAuthority: String?

    public init(method: HTTPMethod, path: String, query: String? = nil, headers: [(name: String, value: String)] = [],
                body: [UInt8] = [], pathParameters: [String: String] = [:]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.pathParameters = pathParameters
    }

    /// The host the request is for: an absolute-form target's authority, which RFC 9112
    /// §3.2.2 says replaces the `Host` field, else the `Host` field.
    public var host: String? { targetAuthority ?? header("Host") }

    /// The first header named `name` (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { ASCII.caseInsensitiveEquals($0.name, name) }?.value
    }

    /// Every header named `name` (ASCII case-insensitive), in order.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { ASCII.caseInsensitiveEquals($0.name, name) }.map(\.value)
    }

    /// Every value of the query parameter `name` (form-decoded), in order.
    public func queryValues(_ name: String) -> [String] {
        guard let query else { return [] }
        // Split among scalars: "&" or "=" followed by a combining mark is one Character.
        return query.unicodeScalars.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard PercentDecoding.decode(Substring(parts[0]), plusAsSpace: true) == name else { return nil }
            return parts.count > 1 ? PercentDecoding.decode(Substring(parts[1]), plusAsSpace: true) : ""
        }
    }
}

/// ASCII helpers that avoid Foundation.
public enum ASCII {
    /// Compares two strings ignoring ASCII case.
    public static func caseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8) { lower($0) == lower($1) }
    }

    /// Lower-cases one ASCII byte.
    @inline(__always)
    public static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}

/// Percent-decoding (RFC 3986 §2.1); invalid escapes are kept as they are.
public enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` as space in form data); nil if the result is not UTF-8.
    public static func decode(_ text: Substring, plusAsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let high = hexValue(iterator[iterator.startIndex]), let low = hexValue(iterator[iterator.startIndex + 1]) {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
