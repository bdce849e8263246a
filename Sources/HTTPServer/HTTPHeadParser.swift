/// The outcome of feeding bytes to `HTTPHeadParser`.
public enum HeadParseResult: Sendable, Equatable {
    /// The head's blank line has not arrived yet; call again when the buffer has grown.
    case needMoreBytes
    /// The head is complete and spans the first `consumed` bytes of the buffer (leading
    /// empty lines included); body or pipelined bytes, if any, start there.
    case complete(consumed: Int)
}

/// Incremental HTTP/1.1 request-head parser, in the style of picohttpparser.
///
/// The caller owns the bytes: each call gets everything received for this request so far,
/// and the head comes back as offsets into that buffer, never copies. The parser remembers
/// how far it has scanned (pico's `last_len`), so a head trickling in one byte at a time
/// costs no more than one that arrives whole; a line is re-read once, when its CRLF arrives.
///
/// Policy (RFC 9112, strictest reading): lines end in CRLF only, never a bare CR or LF;
/// obs-fold is rejected; limits are enforced while bytes are scanned, so a peer can never
/// make the server hold more than `maxHeaderBytes` waiting for a blank line, and an
/// overlong target is refused as soon as it passes `maxURIBytes`. Leading empty lines
/// count towards `maxHeaderBytes`.
public struct HTTPHeadParser: Sendable {
    enum Phase: Equatable {
        case requestLine, fields, complete(consumed: Int)
    }

    let limits: HTTPLimits
    /// The parsed head; complete and valid only after `parse` returned `.complete`.
    public internal(set) var head = HTTPRequestHead()
    var phase = Phase.requestLine
    /// Index of the next byte to examine; bytes before it have been checked for CR and LF.
    var scanned = 0
    /// Index of the first byte of the line being scanned.
    var lineStart = 0
    /// Where the request-target starts once the request line's first SP has been seen.
    var targetStart: Int?
    /// Whether the request line's second SP (the target's end) has been seen.
    var targetEnded = false
    /// What the fields seen so far say about framing and the connection.
    var summary = FieldSummary()

    /// Makes a parser enforcing `limits.maxHeaderBytes`, `maxHeaderCount` and `maxURIBytes`.
    public init(limits: HTTPLimits) {
        self.limits = limits
    }

    /// Scans `buffer` for a complete request head.
    ///
    /// `buffer` holds every byte received for this request so far, starting at its first
    /// byte; between calls it only grows (same prefix). Returns `.needMoreBytes` until the
    /// whole head (through the blank line) is present. Leading empty lines before the
    /// request line are skipped (RFC 9112 §2.2) and count in `consumed`; offsets in `head`
    /// are relative to `buffer`. After an error the parser must be `reset()` before reuse.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> HeadParseResult {
        if case .complete(let consumed) = phase { return .complete(consumed: consumed) }
        // Never look past the limit: a head must fit in maxHeaderBytes, terminator included.
        let end = min(buffer.count, limits.maxHeaderBytes)
        var index = scanned
        while index < end {
            let byte = buffer[index]
            if byte == HTTPSyntax.cr {
                // Leave the CR unscanned until its LF can be checked.
                guard index + 1 < end else { break }
                guard buffer[index + 1] == HTTPSyntax.lf else { throw lineError }
                let line = lineStart..<index
                index += 2
                lineStart = index
                if try lineEnded(line, in: buffer) {
                    phase = .complete(consumed: index)
                    scanned = index
                    return .complete(consumed: index)
                }
                continue
            }
            // RFC 9112 §2.2 lets a recipient accept a bare LF; we do not, so that no peer
            // behind a lenient proxy can disagree with us about where a line ends.
            if byte == HTTPSyntax.lf { throw lineError }
            if phase == .requestLine { try scanRequestLineByte(byte, at: index) }
            index += 1
        }
        scanned = index
        if buffer.count >= limits.maxHeaderBytes { throw .headerSectionTooLarge }
        return .needMoreBytes
    }

    /// Prepares for the next request, keeping the fields array's capacity (no allocation
    /// per keep-alive request after the first). Drop any copy of `head` first: a shared
    /// fields array cannot be emptied in place.
    public mutating func reset() {
        head.clear()
        phase = .requestLine
        scanned = 0
        lineStart = 0
        targetStart = nil
        targetEnded = false
        summary = FieldSummary()
    }

    /// The error for a bare CR or LF in the current line.
    private var lineError: HTTPParseError {
        phase == .requestLine ? .malformedRequestLine : .malformedHeader
    }

    /// Handles one complete line (without its CRLF); returns whether the head is complete.
    private mutating func lineEnded(_ line: Range<Int>, in buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> Bool {
        switch phase {
        case .requestLine:
            // RFC 9112 §2.2: ignore empty lines received before the request line.
            if line.isEmpty { return false }
            try parseRequestLine(line, in: buffer)
            phase = .fields
            return false
        case .fields:
            if line.isEmpty {
                try finishHead()
                return true
            }
            try parseFieldLine(line, in: buffer)
            return false
        case .complete:
            return true
        }
    }

    /// Tracks the request line's spaces so an overlong target fails before its line ends.
    @inline(__always)
    private mutating func scanRequestLineByte(_ byte: UInt8, at index: Int) throws(HTTPParseError) {
        if byte == HTTPSyntax.space {
            if targetStart == nil { targetStart = index + 1 } else { targetEnded = true }
        } else if let start = targetStart, !targetEnded, index - start >= limits.maxURIBytes {
            throw .uriTooLong
        }
    }
}
