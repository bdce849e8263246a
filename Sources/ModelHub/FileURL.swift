/// The rules for a file a model names by URL (`files: {NAME: {url: ..., sha256: ...}}` in
/// `model.yaml`): an absolute `https://` URL, or `http://` to a loopback host only
/// (`127.0.0.0/8`, `[::1]`, `localhost`), since the SHA-256 guards the bytes but not their
/// privacy, and a plain-text fetch across a network would expose what a model loads. No user
/// name or password in it (they would end up in logs and errors), no space, control byte or
/// fragment, at most 4096 bytes. Checked on bytes, as libcurl reads it.
public enum FileURL {
    /// The longest URL accepted.
    public static let maxBytes = 4096

    /// Why `text` is not an acceptable file URL, or nil when it is.
    public static func problem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maxBytes else { return "must be 1 to \(maxBytes) bytes" }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return "must be printable ASCII without spaces (percent-encode the rest)"
        }
        guard !bytes.contains(UInt8(ascii: "#")) else { return "must not have a #fragment" }
        let lower = text.lowercased()
        let isHTTPS = lower.hasPrefix("https://")
        guard isHTTPS || lower.hasPrefix("http://") else { return "must be an https:// URL" }
        let afterScheme = text.utf8.dropFirst(isHTTPS ? 8 : 7)
        let authority = afterScheme.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") }
        guard !authority.contains(UInt8(ascii: "@")) else { return "must not hold a user name or password" }
        guard let host = host(of: String(decoding: authority, as: UTF8.self)), !host.isEmpty else {
            return "has no host"
        }
        guard afterScheme.count > authority.count, afterScheme[authority.endIndex] == UInt8(ascii: "/") else {
            return "has no path to a file"
        }
        if !isHTTPS && !isLoopback(host) { return "must be https:// (plain http:// only to a loopback host)" }
        return nil
    }

    /// The host of `HOST[:PORT]` or `[IPV6][:PORT]`, lower-cased; nil when malformed.
    static func host(of authority: String) -> String? {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let rest = authority[authority.index(after: close)...]
            guard rest.isEmpty || isPort(rest.dropFirst()) && rest.first == ":" else { return nil }
            return String(authority[...close]).lowercased()
        }
        let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, !isPort(parts[1]) { return nil }
        return parts.first.map { $0.lowercased() }
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// `localhost`, `[::1]` or a dotted `127.x.y.z`.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127"
            && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } && Int($0)! <= 255 }
    }
}
