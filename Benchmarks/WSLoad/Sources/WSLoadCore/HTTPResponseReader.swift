/// Reads one HTTP/1.1 response to a POST from the front of a buffer: the head, then a
/// `Content-Length` body or a chunked one (RFC 9112 §6.3, §7.1).
public enum HTTPResponseReader {
    /// What the bytes read so far come to.
    public enum Outcome: Equatable, Sendable {
        case needMoreBytes
        /// A whole response of `consumed` bytes.
        case complete(status: Int, body: [UInt8], consumed: Int)
    }

    /// Longest head or body accepted, 64 KiB: the answers here are tiny.
    public static let maxBytes = 65536

    /// Parses the response at the front of `bytes`.
    public static func read(_ bytes: UnsafeRawBufferPointer) throws(ResponseError) -> Outcome {
        guard let headEnd = HTTPHead.endOfHead(in: bytes) else {
            if bytes.count > maxBytes { throw .tooLarge }
            return .needMoreBytes
        }
        guard let head = HTTPHead(bytes[..<headEnd]) else { throw .malformed }
        let body = UnsafeRawBufferPointer(rebasing: bytes[headEnd...])
        if head.values("transfer-encoding").contains(where: { $0.lowercased().contains("chunked") }) {
            guard let (content, used) = try dechunk(body) else { return .needMoreBytes }
            return .complete(status: head.status, body: content, consumed: headEnd + used)
        }
        let lengths = head.values("content-length")
        // RFC 9112 §6.3: differing Content-Length values make the message invalid.
        guard Set(lengths).count <= 1 else { throw .malformed }
        guard let text = lengths.first else {
            // §6.3 item 7 reads until close; a keep-alive publisher cannot, so a bodyless
            // answer is only valid for statuses that never have one.
            guard head.status == 204 || head.status == 304 else { throw .noLength }
            return .complete(status: head.status, body: [], consumed: headEnd)
        }
        guard let length = Int(text), length >= 0, length <= maxBytes else { throw .malformed }
        guard body.count >= length else { return .needMoreBytes }
        return .complete(status: head.status, body: Array(body[..<length]), consumed: headEnd + length)
    }

    /// RFC 9112 §7.1: chunks of `size CRLF data CRLF`, a zero-size chunk, trailers, CRLF.
    private static func dechunk(_ bytes: UnsafeRawBufferPointer) throws(ResponseError) -> ([UInt8], Int)? {
        var content: [UInt8] = []
        var offset = 0
        while true {
            guard let lineEnd = crlf(in: bytes, from: offset) else { return nil }
            let sizeField = bytes[offset..<lineEnd].prefix { $0 != UInt8(ascii: ";") }
            guard let size = Int(String(decoding: sizeField, as: UTF8.self).trimmingSpaces(), radix: 16),
                  size >= 0, content.count + size <= maxBytes else { throw .malformed }
            offset = lineEnd + 2
            if size == 0 {
                // Trailer fields, then the empty line that ends the message.
                var lineStart = offset
                while true {
                    guard let end = crlf(in: bytes, from: lineStart) else { return nil }
                    if end == lineStart { return (content, end + 2) }
                    lineStart = end + 2
                }
            }
            guard bytes.count >= offset + size + 2 else { return nil }
            content.append(contentsOf: bytes[offset..<offset + size])
            guard bytes[offset + size] == 0x0D, bytes[offset + size + 1] == 0x0A else { throw .malformed }
            offset += size + 2
        }
    }

    private static func crlf(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 0x0D && bytes[index + 1] == 0x0A { return index }
            index += 1
        }
        return nil
    }
}

/// A response the publisher cannot use.
public enum ResponseError: Error, Equatable, Sendable {
    case malformed
    case noLength
    case tooLarge
}
