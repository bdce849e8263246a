/// An HTTP/1.1 response head (RFC 9112 §4 status line, §5 fields), parsed into its status
/// and an ordered list of fields with lower-cased names. Only for responses we read.
public struct HTTPHead: Sendable {
    public let status: Int
    /// (lower-cased name, value without surrounding spaces), in order; repeats kept.
    public let fields: [(name: String, value: String)]

    /// Parses a complete head (status line through the empty line); nil when malformed.
    public init?(_ head: UnsafeRawBufferPointer.SubSequence) {
        let lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
        guard let statusLine = lines.first else { return nil }
        // RFC 9112 §4: HTTP-version SP 3DIGIT SP [reason-phrase]
        let parts = statusLine.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].elementsEqual("HTTP/1.1".utf8) || parts[0].elementsEqual("HTTP/1.0".utf8),
              parts[1].count == 3, parts[1].allSatisfy({ (0x30...0x39).contains($0) }),
              let status = Int(String(decoding: parts[1], as: UTF8.self)) else { return nil }
        var fields: [(String, String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { return nil }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[line.index(after: colon)...], as: UTF8.self).trimmingSpaces()
            fields.append((name, value))
        }
        self.status = status
        self.fields = fields
    }

    /// The values of every field named `name` (lower case).
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    /// The offset just past the `CRLF CRLF` that ends a head, or nil if it has not arrived.
    public static func endOfHead(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count where bytes[index] == 0x0A
            && bytes[index - 1] == 0x0D && bytes[index - 2] == 0x0A && bytes[index - 3] == 0x0D {
            return index + 1
        }
        return nil
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (RFC 9110 §5.6.3 OWS).
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
