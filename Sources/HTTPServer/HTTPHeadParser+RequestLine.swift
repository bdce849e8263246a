extension HTTPHeadParser {
    /// Parses `method SP request-target SP HTTP-version` (RFC 9112 §3) into `head`.
    mutating func parseRequestLine(_ line: Range<Int>, in buffer: UnsafeRawBufferPointer) throws(HTTPParseError) {
        guard let methodEnd = Self.firstSpace(in: line, of: buffer),
              let targetEnd = Self.firstSpace(in: methodEnd + 1..<line.upperBound, of: buffer)
        else { throw .malformedRequestLine }
        let method = line.lowerBound..<methodEnd
        let target = methodEnd + 1..<targetEnd
        let version = targetEnd + 1..<line.upperBound

        // RFC 9112 §3: exactly one SP between the parts, so no part may be empty.
        guard !method.isEmpty, !target.isEmpty else { throw .malformedRequestLine }
        let methodBytes = UnsafeRawBufferPointer(rebasing: buffer[method])
        // RFC 9110 §9.1: the method is a token.
        guard HTTPSyntax.isToken(methodBytes) else { throw .invalidMethod }
        guard target.count <= limits.maxURIBytes else { throw .uriTooLong }
        try checkTarget(target, in: buffer)

        head.version = try Self.parseVersion(version, in: buffer)
        head.method = HTTPMethod(token: methodBytes)
        head.target = target
        try splitTarget(target, in: buffer)
    }

    /// Finds the target's form (RFC 9112 §3.2) and splits off its path and query:
    /// - origin-form `/path?query`, the usual one;
    /// - absolute-form `http://authority/path?query` (§3.2.2, which a server MUST accept):
    ///   routed by its path (`/` when empty) and query; its authority is kept in
    ///   `head.authority` because it replaces the `Host` field. Only `http` and `https`
    ///   (any case), a non-empty authority of host characters and no userinfo are accepted;
    /// - authority-form (`CONNECT host:port`) and asterisk-form (`OPTIONS *`): kept whole as
    ///   the path, which no route matches.
    /// Anything else is `400 invalid_target`.
    private mutating func splitTarget(_ target: Range<Int>, in buffer: UnsafeRawBufferPointer) throws(HTTPParseError) {
        head.authority = nil
        var pathStart = target.lowerBound
        let first = buffer[target.lowerBound]
        if first != UInt8(ascii: "/") {
            guard let authorityStart = Self.absoluteFormAuthorityStart(target, in: buffer) else {
                if first == UInt8(ascii: "*") && target.count == 1 { return splitQuery(target, in: buffer) }
                if case .other(let name) = head.method, name == "CONNECT" { return splitQuery(target, in: buffer) }
                throw .invalidTarget
            }
            var authorityEnd = authorityStart
            while authorityEnd < target.upperBound, buffer[authorityEnd] != UInt8(ascii: "/"),
                  buffer[authorityEnd] != UInt8(ascii: "?") {
                authorityEnd += 1
            }
            let authority = authorityStart..<authorityEnd
            guard !authority.isEmpty, Self.isValidHost(UnsafeRawBufferPointer(rebasing: buffer[authority])) else {
                throw .invalidTarget
            }
            head.authority = authority
            pathStart = authorityEnd
        }
        splitQuery(pathStart..<target.upperBound, in: buffer)
    }

    /// Sets `head.path` to `pathAndQuery` up to its first `?` and `head.query` to the rest.
    private mutating func splitQuery(_ pathAndQuery: Range<Int>, in buffer: UnsafeRawBufferPointer) {
        if let mark = buffer[pathAndQuery].firstIndex(of: UInt8(ascii: "?")) {
            head.path = pathAndQuery.lowerBound..<mark
            head.query = mark + 1..<pathAndQuery.upperBound
        } else {
            head.path = pathAndQuery
            head.query = nil
        }
    }

    /// Where the authority starts if `target` begins with `http://` or `https://` (scheme
    /// case-insensitive, RFC 3986 §3.1), else nil.
    private static func absoluteFormAuthorityStart(_ target: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Int? {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[target])
        for scheme: StaticString in ["http://", "https://"] where bytes.count >= scheme.utf8CodeUnitCount {
            let prefix = UnsafeRawBufferPointer(rebasing: bytes[..<scheme.utf8CodeUnitCount])
            if HTTPSyntax.equalsIgnoringCase(prefix, scheme) { return target.lowerBound + scheme.utf8CodeUnitCount }
        }
        return nil
    }

    /// Rejects control bytes, spaces and non-ASCII in the target (RFC 9112 §3.2; RFC 3986
    /// allows only printable ASCII, anything else must be percent-encoded).
    private func checkTarget(_ target: Range<Int>, in buffer: UnsafeRawBufferPointer) throws(HTTPParseError) {
        for index in target {
            let byte = buffer[index]
            guard byte > 0x20, byte < 0x7F else { throw .malformedRequestLine }
        }
    }

    /// Reads `HTTP/d.d` (RFC 9112 §2.3). HTTP/1.x with x > 1 is served as 1.1; a well-formed
    /// version with another major number is 505; anything else is malformed.
    private static func parseVersion(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPVersion {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[range])
        guard bytes.count == 8, HTTPSyntax.equals(UnsafeRawBufferPointer(rebasing: bytes[..<5]), "HTTP/"), bytes[6] == UInt8(ascii: "."),
              let major = digit(bytes[5]), let minor = digit(bytes[7])
        else { throw .malformedRequestLine }
        guard major == 1 else { throw .unsupportedVersion }
        return minor == 0 ? .http1_0 : .http1_1
    }

    private static func digit(_ byte: UInt8) -> UInt8? {
        byte &- UInt8(ascii: "0") < 10 ? byte &- UInt8(ascii: "0") : nil
    }

    private static func firstSpace(in range: Range<Int>, of buffer: UnsafeRawBufferPointer) -> Int? {
        var index = range.lowerBound
        while index < range.upperBound {
            if buffer[index] == HTTPSyntax.space { return index }
            index += 1
        }
        return nil
    }
}
