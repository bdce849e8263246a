/// Which web pages may open a WebSocket (DESIGN §1.4): the defence against cross-site
/// WebSocket hijacking, where another site's page opens a socket to this server in its
/// visitor's browser.
///
/// A handshake passes when
/// - it has no `Origin` field: it is not from a browser (curl, scripts, Autobahn), and the
///   check exists to stop other sites' pages, which always send one;
/// - its origin is the server's own: the `Origin`'s host and port equal the `Host` field's
///   (hosts compared ASCII case-insensitively, IPv6 literals in brackets compared as
///   written; a missing port is the origin scheme's default: 80 for http/ws, 443 for
///   https/wss) — the dashboard served at `/` is such a page;
/// - its `Origin` is on `allowedOrigins` (exact match, ASCII case-insensitive), or that list
///   holds `*`.
/// Anything else is refused with 403: other origins, `null` (sandboxed frames, `file:`
/// pages) unless listed, a repeated `Origin` field, and values that are not origins.
public struct OriginPolicy: Sendable, Equatable {
    /// The listed origins, lowercased (`*` excluded).
    public let allowedOrigins: Set<String>
    /// Whether `*` was listed: any origin passes.
    public let allowsAnyOrigin: Bool

    /// A policy that also admits `allowedOrigins` (`*` admits every origin).
    public init(allowedOrigins: [String]) {
        allowsAnyOrigin = allowedOrigins.contains("*")
        self.allowedOrigins = Set(allowedOrigins.filter { $0 != "*" }.map { String(decoding: $0.utf8.map(Self.lowercased), as: UTF8.self) })
    }

    private init(any: Bool) {
        allowedOrigins = []
        allowsAnyOrigin = any
    }

    /// Requests without `Origin` and same-origin ones only (the default).
    public static let sameOriginOnly = OriginPolicy(any: false)
    /// Every request, whatever its `Origin` (`*`).
    public static let anyOrigin = OriginPolicy(any: true)

    /// Whether a handshake whose `Origin` fields are `origins` (none, one, or several) and
    /// whose `Host` fields are `hosts` passes.
    public func allows(origins: [some Collection<UInt8>], hosts: [some Collection<UInt8>]) -> Bool {
        guard let origin = origins.first else { return true }
        if allowsAnyOrigin { return true }
        guard origins.count == 1 else { return false }
        if hosts.count == 1, Self.isSameOrigin(origin: origin, host: hosts[0]) { return true }
        return !allowedOrigins.isEmpty && allowedOrigins.contains(String(decoding: origin.map(Self.lowercased), as: UTF8.self))
    }

    /// Whether `origin` (an RFC 6454 serialisation: `scheme://host[:port]`) names the same
    /// host and port as the `Host` field `host` (`host[:port]`).
    public static func isSameOrigin(origin: some Collection<UInt8>, host: some Collection<UInt8>) -> Bool {
        let origin = Array(origin)
        guard let schemeEnd = origin.firstIndex(of: UInt8(ascii: ":")),
              origin[schemeEnd...].starts(with: "://".utf8),
              let defaultPort = defaultPort(ofScheme: origin[..<schemeEnd]),
              let originAuthority = Authority(parsing: origin[(schemeEnd + 3)...], defaultPort: defaultPort),
              let hostAuthority = Authority(parsing: Array(host)[...], defaultPort: defaultPort)
        else { return false }
        return originAuthority == hostAuthority
    }

    /// Whether `text` can be listed in `websocket.allowed-origins`: `*`, `null`, or
    /// `scheme://host[:port]` with no path, query or user information (what browsers send).
    public static func isValidListEntry(_ text: String) -> Bool {
        if text == "*" || text.lowercased() == "null" { return true }
        let bytes = Array(text.utf8)
        guard let schemeEnd = bytes.firstIndex(of: UInt8(ascii: ":")), schemeEnd > 0,
              bytes[schemeEnd...].starts(with: "://".utf8),
              bytes[..<schemeEnd].allSatisfy({ isSchemeByte($0) })
        else { return false }
        return Authority(parsing: bytes[(schemeEnd + 3)...], defaultPort: 0) != nil
    }

    /// 80 for http and ws, 443 for https and wss (case-insensitive); nil for other schemes,
    /// which are never same-origin with an HTTP `Host`.
    static func defaultPort(ofScheme scheme: ArraySlice<UInt8>) -> Int? {
        switch String(decoding: scheme.map(lowercased), as: UTF8.self) {
        case "http", "ws": 80
        case "https", "wss": 443
        default: nil
        }
    }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}

extension OriginPolicy {
    /// `host[:port]` of an origin or a `Host` field, host lowercased, port made explicit.
    struct Authority: Equatable {
        let host: [UInt8]
        let port: Int

        /// Parses `bytes`; nil for an empty host, an empty, non-numeric or out-of-range port,
        /// an unclosed or malformed IPv6 literal, or bytes no authority holds (space,
        /// control bytes, `/ ? # @` and the like).
        init?(parsing bytes: ArraySlice<UInt8>, defaultPort: Int) {
            var hostPart = bytes
            var portPart: ArraySlice<UInt8>?
            if bytes.first == UInt8(ascii: "[") {
                guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
                hostPart = bytes[...close]
                let inside = bytes[(bytes.startIndex + 1)..<close]
                guard !inside.isEmpty, inside.allSatisfy(Self.isIPv6LiteralByte) else { return nil }
                let rest = bytes[(close + 1)...]
                if !rest.isEmpty {
                    guard rest.first == UInt8(ascii: ":") else { return nil }
                    portPart = rest.dropFirst()
                }
            } else {
                if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
                    hostPart = bytes[..<colon]
                    portPart = bytes[(colon + 1)...]
                }
                guard !hostPart.isEmpty, hostPart.allSatisfy(Self.isRegisteredNameByte) else { return nil }
            }
            if let portPart {
                guard (1...5).contains(portPart.count), portPart.allSatisfy({ (0x30...0x39).contains($0) }),
                      let value = Int(String(decoding: portPart, as: UTF8.self)), value <= 65535
                else { return nil }
                port = value
            } else {
                port = defaultPort
            }
            host = hostPart.map(OriginPolicy.lowercased)
        }

        /// RFC 3986 §3.2.2 reg-name and IPv4 bytes: unreserved, sub-delims and `%`.
        private static func isRegisteredNameByte(_ byte: UInt8) -> Bool {
            if (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) { return true }
            return Array("-._~%!$&'()*+,;=".utf8).contains(byte)
        }

        /// Hex digits, `:` and `.` (an embedded IPv4 address).
        private static func isIPv6LiteralByte(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
                || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
        }
    }
}
