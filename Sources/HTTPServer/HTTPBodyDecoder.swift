/// Decodes one request body, framed by `Content-Length` or chunked with trailers, from
/// deliveries split anywhere.
///
/// Policy: the body limit is enforced before bytes are buffered, so a peer can never make
/// the server hold more than `maxBodyBytes` of body. A declared `Content-Length` over the
/// limit fails at once; a chunk whose size would pass the limit fails while its size digits
/// are read. Chunk extensions are skipped but each chunk-size line is bounded
/// (`maxChunkLineBytes`), and trailer fields are validated like header fields, bounded
/// (`maxTrailerBytes`) and discarded: nothing here lets a trailer change the request.
///
///     chunked-body = *chunk last-chunk trailer-section CRLF        (RFC 9112 §7.1)
///     chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
///     last-chunk   = 1*("0") [ chunk-ext ] CRLF
public struct HTTPBodyDecoder: Sendable {
    /// How the request delimits its body (RFC 9112 §6.3).
    public enum Framing: Sendable, Equatable {
        /// No body: neither `Content-Length` nor `Transfer-Encoding` was sent.
        case none
        /// Exactly this many bytes follow the head.
        case contentLength(Int)
        /// `Transfer-Encoding: chunked`.
        case chunked
    }

    /// Longest chunk-size line, extensions included, CRLF excluded. Default 4 KiB.
    static let maxChunkLineBytes = 4 * 1024
    /// Largest trailer section, final CRLF included. Default 8 KiB; past it the request is
    /// refused with `431`, as for a header section.
    static let maxTrailerBytes = 8 * 1024

    enum State: Equatable {
        case fixedLength
        case chunkSize, chunkSizeWhitespace, chunkExtension, chunkSizeLF
        case chunkData, chunkDataCR, chunkDataLF
        case trailerLineStart, trailerName, trailerValue, trailerLineLF, finalLF
        case complete
    }

    let maxBodyBytes: Int
    var state: State
    /// Body bytes still expected: the rest of the `Content-Length` or of the current chunk.
    var remaining = 0
    /// Body bytes decoded so far.
    var decodedBytes = 0
    /// Hex digits read in the current chunk-size line.
    var sizeDigits = 0
    /// Bytes read in the current chunk-size line.
    var lineBytes = 0
    /// Bytes read in the trailer section.
    var trailerBytes = 0

    /// Prepares to decode a body with `framing`, refusing at once a declared length over
    /// `maxBodyBytes` (bytes, after chunked decoding).
    public init(framing: Framing, maxBodyBytes: Int) throws(HTTPParseError) {
        self.maxBodyBytes = maxBodyBytes
        switch framing {
        case .none:
            state = .complete
        case .contentLength(let length):
            guard length >= 0 else { throw .invalidContentLength }
            guard length <= maxBodyBytes else { throw .bodyTooLarge }
            remaining = length
            state = length == 0 ? .complete : .fixedLength
        case .chunked:
            state = .chunkSize
        }
    }

    /// Whether the whole body, trailers included, has been decoded.
    public var isComplete: Bool { state == .complete }

    /// Consumes bytes from the front of `input`, appending decoded body bytes to `body`;
    /// returns how many input bytes it consumed (stops at the end of the body, so bytes of
    /// a pipelined next request are left unconsumed). After an error the connection must
    /// be closed: the framing can no longer be trusted.
    public mutating func decode(_ input: UnsafeRawBufferPointer, into body: inout [UInt8]) throws(HTTPParseError) -> Int {
        var index = 0
        while index < input.count {
            switch state {
            case .complete:
                return index
            case .fixedLength, .chunkData:
                let count = min(remaining, input.count - index)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[index..<index + count]))
                index += count
                remaining -= count
                decodedBytes += count
                if remaining == 0 { state = state == .fixedLength ? .complete : .chunkDataCR }
            default:
                try chunkFramingByte(input[index])
                index += 1
            }
        }
        return index
    }
}
