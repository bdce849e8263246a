import Glibc

/// One address a listener binds: a host (IP literal or name) and a TCP port.
///
/// Parsed from `HOST:PORT`, `[IPv6]:PORT` or `:PORT`. `:PORT` means all IPv4 interfaces
/// (`0.0.0.0`); write `[::]:PORT` for all IPv6 interfaces. Port 0 asks the kernel for a
/// free port; the listener logs the port it got in its `listening` line.
public struct ListenAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The host without brackets: `127.0.0.1`, `::1`, `localhost`.
    public var host: String
    /// The TCP port; 0 picks a free one.
    public var port: UInt16

    /// Creates an address from its parts; `host` is an IP literal (IPv6 without brackets)
    /// or a host name.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT`.
    public init(parsing text: String) throws(ParseError) {
        guard let colon = text.unicodeScalars.lastIndex(of: ":") else { throw .missingPort(text) }
        let hostPart = text[..<colon]
        let portPart = Substring(text.unicodeScalars[text.unicodeScalars.index(after: colon)...])
        guard !portPart.isEmpty, portPart.allSatisfy(\.isASCII), portPart.allSatisfy(\.isNumber),
            let port = UInt16(portPart)
        else {
            throw .invalidPort(String(portPart))
        }
        self.init(host: try Self.parseHost(hostPart, in: text), port: port)
    }

    /// `HOST:PORT`, with IPv6 literals in brackets so the text parses back to this value.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether `host` is an IPv6 literal (so a listener needs an `AF_INET6` socket).
    public var isIPv6: Bool { host.contains(":") }

    private static func parseHost(_ part: Substring, in text: String) throws(ParseError) -> String {
        if part.isEmpty { return "0.0.0.0" }
        if part.first == "[" {
            guard part.last == "]", part.count > 2 else { throw .invalidHost(String(part)) }
            let inner = String(part.dropFirst().dropLast())
            guard isIPv6Literal(inner) else { throw .invalidHost(inner) }
            return inner
        }
        // Without brackets a colon in the host makes the port ambiguous (RFC 3986 §3.2.2).
        if part.contains(":") { throw .unbracketedIPv6(text) }
        let host = String(part)
        guard isIPv4Literal(host) || isHostName(host) else { throw .invalidHost(host) }
        return host
    }

    private static func isIPv6Literal(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    private static func isIPv4Literal(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    /// RFC 1123 §2.1 host name: dot-separated labels of letters, digits and inner hyphens.
    private static func isHostName(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253, !text.allSatisfy({ $0.isNumber || $0 == "." }) else {
            return false
        }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

extension ListenAddress {
    /// Why a listen address did not parse; the description is a sentence fit for an
    /// operator.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        /// No `:PORT` at all.
        case missingPort(String)
        /// The port is not a number from 0 to 65535.
        case invalidPort(String)
        /// The host is neither an IP literal nor a valid host name.
        case invalidHost(String)
        /// An IPv6 literal written without brackets.
        case unbracketedIPv6(String)

        /// The problem as "expected …, got …".
        public var description: String {
            switch self {
            case .missingPort(let text):
                "expected HOST:PORT, [IPv6]:PORT or :PORT, got \(String(reflecting: text))"
            case .invalidPort(let port):
                "expected a port from 0 to 65535, got \(String(reflecting: port))"
            case .invalidHost(let host):
                "expected an IP address or host name, got \(String(reflecting: host))"
            case .unbracketedIPv6(let text):
                "IPv6 addresses need brackets, as in [::1]:8080, got \(String(reflecting: text))"
            }
        }
    }
}
