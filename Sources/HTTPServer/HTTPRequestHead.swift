/// One header field line: byte offsets into the buffer the head was parsed from.
public struct HTTPHeaderField: Sendable, Equatable {
    /// The field name, as sent (compare it ASCII case-insensitively).
    public var name: Range<Int>
    /// The field value without leading or trailing OWS.
    public var value: Range<Int>

    /// A field whose name and value are at these offsets.
    public init(name: Range<Int>, value: Range<Int>) {
        self.name = name
        self.value = value
    }
}

/// A parsed request head: the request line, the field lines in order, and what the framing
/// and connection fields mean.
///
/// It holds only offsets into the caller's buffer, never copies, so it is valid only while
/// that buffer holds the head's bytes at the same positions. Fields stay a list in arrival
/// order with duplicates kept, never a dictionary, so a repeated `Content-Length` or `Host`
/// cannot hide.
public struct HTTPRequestHead: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The request-target bytes (RFC 9112 §3.2), for example `/v1/models?limit=2`.
    public var target: Range<Int>
    /// The target up to, not including, the first `?`.
    public var path: Range<Int>
    /// The bytes after the first `?`, if there is one (possibly empty).
    public var query: Range<Int>?
    /// The authority of an absolute-form target (`host:port` of `http://host:port/path`),
    /// which replaces the `Host` field (RFC 9112 §3.2.2); nil for every other form.
    public var authority: Range<Int>?
    /// The protocol version of the request line.
    public var version: HTTPVersion
    /// Every field line in order; duplicates are kept.
    public var fields: [HTTPHeaderField]
    /// The body length from `Content-Length`; nil if absent. Saturates at `Int.max` for
    /// numerals too large for `Int` (RFC 9110 §8.6), which the body limit then rejects.
    public var contentLength: Int?
    /// Whether the body is chunked (`Transfer-Encoding: chunked`).
    public var isChunked: Bool
    /// Whether the connection stays open after the response (RFC 9112 §9.3): on for 1.1
    /// unless `Connection` has `close`; off for 1.0 unless it has `keep-alive` (and no `close`).
    public var keepAlive: Bool
    /// Whether the client sent `Expect: 100-continue` and waits before sending the body
    /// (RFC 9110 §10.1.1; always false for HTTP/1.0, which must ignore it).
    public var expectsContinue: Bool
    /// Whether `Connection` has the `upgrade` token and an `Upgrade` field is present
    /// (RFC 9110 §7.8; always false for HTTP/1.0, which must ignore `Upgrade`).
    public var isUpgradeRequest: Bool

    /// An empty `GET` head for HTTP/1.1 with no fields and empty ranges; the parser fills
    /// one in, and tests of the layers above can build one by setting its properties.
    public init() {
        method = .get
        target = 0..<0
        path = 0..<0
        query = nil
        authority = nil
        version = .http1_1
        fields = []
        contentLength = nil
        isChunked = false
        keepAlive = true
        expectsContinue = false
        isUpgradeRequest = false
    }

    /// Empties the head for the next request, keeping the fields array's capacity.
    mutating func clear() {
        method = .get
        target = 0..<0
        path = 0..<0
        query = nil
        authority = nil
        version = .http1_1
        fields.removeAll(keepingCapacity: true)
        contentLength = nil
        isChunked = false
        keepAlive = true
        expectsContinue = false
        isUpgradeRequest = false
    }

    /// Finds the first field named `name` (ASCII case-insensitive) and returns its value range.
    ///
    /// - Parameter buffer: the buffer the head was parsed from.
    public func firstValue(named name: String, in buffer: UnsafeRawBufferPointer) -> Range<Int>? {
        for field in fields where Self.bytes(buffer, field.name, equalIgnoringCase: name) {
            return field.value
        }
        return nil
    }

    private static func bytes(
        _ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, equalIgnoringCase name: String
    ) -> Bool {
        var index = range.lowerBound
        for expected in name.utf8 {
            guard index < range.upperBound,
                  HTTPSyntax.asciiLowercased(buffer[index]) == HTTPSyntax.asciiLowercased(expected)
            else { return false }
            index += 1
        }
        return index == range.upperBound
    }
}
