/// A response as read off the wire by a test client: status, headers in order, body
/// (`Content-Length` framing only, which is all the server sends).
public struct RawHTTPResponse: Sendable {
    public var status: Int
    public var reason: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first header named `name`, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Parses one response from the front of `bytes`; nil if incomplete.
    public static func parse(_ bytes: [UInt8], isHead: Bool = false) -> (RawHTTPResponse, consumed: Int)? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { bytes[$0..<($0 + 4)].elementsEqual(terminator) }) else {
            return nil
        }
        let headText = String(decoding: bytes[..<end], as: UTF8.self)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let headers = lines.map { line -> (String, String) in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1].drop { $0 == " " }) : "")
        }
        var response = RawHTTPResponse(status: status, reason: statusLine.count > 2 ? String(statusLine[2]) : "",
                                       headers: headers, body: [])
        let bodyStart = end + 4
        let length = (status == 100 || status == 204 || isHead) ? 0 : Int(response.header("Content-Length") ?? "0") ?? 0
        guard bytes.count >= bodyStart + length else { return nil }
        response.body = Array(bytes[bodyStart..<(bodyStart + length)])
        return (response, bodyStart + length)
    }
}
