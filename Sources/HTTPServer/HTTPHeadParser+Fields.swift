extension HTTPHeadParser {
    /// What the field lines seen so far say about framing and the connection; judged as a
    /// whole once the blank line arrives, since lists may span several field lines.
    struct FieldSummary {
        var hostCount = 0
        var hasTransferEncoding = false
        var chunkedCount = 0
        var hasOtherCoding = false
        var hasInvalidCoding = false
        var connectionClose = false
        var connectionKeepAlive = false
        var connectionUpgrade = false
        var hasUpgrade = false
        var expectsContinue = false
    }

    /// Parses `field-name ":" OWS field-value OWS` (RFC 9112 §5) and records the field.
    mutating func parseFieldLine(_ line: Range<Int>, in buffer: UnsafeRawBufferPointer) throws(HTTPParseError) {
        // RFC 9112 §5.2: obs-fold is rejected with 400; §2.2: so is whitespace between the
        // start line and the first field.
        guard !HTTPSyntax.isWhitespace(buffer[line.lowerBound]) else { throw .malformedHeader }
        var colon = line.lowerBound
        while colon < line.upperBound, buffer[colon] != HTTPSyntax.colon {
            // RFC 9112 §5.1: no whitespace between the name and the colon.
            guard HTTPSyntax.isTokenByte(buffer[colon]) else { throw .malformedHeader }
            colon += 1
        }
        guard colon < line.upperBound, colon > line.lowerBound else { throw .malformedHeader }
        for index in colon + 1..<line.upperBound where !HTTPSyntax.isFieldValueByte(buffer[index]) {
            throw .malformedHeader
        }
        guard head.fields.count < limits.maxHeaderCount else { throw .tooManyHeaders }
        let field = HTTPHeaderField(
            name: line.lowerBound..<colon,
            value: HTTPSyntax.trimmingWhitespace(colon + 1..<line.upperBound, in: buffer))
        head.fields.append(field)
        try noteField(field, in: buffer)
    }

    /// Updates the summary and `head.contentLength` for the fields that carry meaning here.
    private mutating func noteField(_ field: HTTPHeaderField, in buffer: UnsafeRawBufferPointer) throws(HTTPParseError) {
        let name = UnsafeRawBufferPointer(rebasing: buffer[field.name])
        switch name.count {
        case 4 where HTTPSyntax.equalsIgnoringCase(name, "host"):
            summary.hostCount += 1
            // RFC 9112 §3.2: more than one Host field line is a 400.
            guard summary.hostCount == 1 else { throw .duplicateHost }
            guard Self.isValidHost(UnsafeRawBufferPointer(rebasing: buffer[field.value])) else { throw .invalidHost }
        case 14 where HTTPSyntax.equalsIgnoringCase(name, "content-length"):
            try noteContentLength(field.value, in: buffer)
        case 17 where HTTPSyntax.equalsIgnoringCase(name, "transfer-encoding"):
            noteTransferEncoding(field.value, in: buffer)
        case 10 where HTTPSyntax.equalsIgnoringCase(name, "connection"):
            HTTPSyntax.forEachListElement(in: field.value, of: buffer) { element in
                let token = UnsafeRawBufferPointer(rebasing: buffer[element])
                if HTTPSyntax.equalsIgnoringCase(token, "close") { summary.connectionClose = true }
                if HTTPSyntax.equalsIgnoringCase(token, "keep-alive") { summary.connectionKeepAlive = true }
                if HTTPSyntax.equalsIgnoringCase(token, "upgrade") { summary.connectionUpgrade = true }
            }
        case 6 where HTTPSyntax.equalsIgnoringCase(name, "expect"):
            HTTPSyntax.forEachListElement(in: field.value, of: buffer) { element in
                let expectation = UnsafeRawBufferPointer(rebasing: buffer[element])
                if HTTPSyntax.equalsIgnoringCase(expectation, "100-continue") { summary.expectsContinue = true }
            }
        case 7 where HTTPSyntax.equalsIgnoringCase(name, "upgrade"):
            summary.hasUpgrade = true
        default:
            break
        }
    }

    /// RFC 9110 §8.6: every element of every Content-Length line must be the same decimal
    /// number; identical repeats (`42, 42`) are accepted as one.
    private mutating func noteContentLength(_ value: Range<Int>, in buffer: UnsafeRawBufferPointer) throws(HTTPParseError) {
        var sawElement = false
        try HTTPSyntax.forEachListElement(in: value, of: buffer) { (element) throws(HTTPParseError) in
            var length = 0
            for index in element {
                let digit = buffer[index] &- UInt8(ascii: "0")
                guard digit < 10 else { throw .invalidContentLength }
                // RFC 9110 §8.6: guard against overflow; a saturated length is over any limit.
                let (scaled, overflowScale) = length.multipliedReportingOverflow(by: 10)
                let (sum, overflowAdd) = scaled.addingReportingOverflow(Int(digit))
                length = overflowScale || overflowAdd ? .max : sum
            }
            if let previous = head.contentLength, previous != length { throw .invalidContentLength }
            head.contentLength = length
            sawElement = true
        }
        guard sawElement else { throw .invalidContentLength }
    }

    /// Records the codings of one Transfer-Encoding line (RFC 9112 §6.1); judged in `finishHead`.
    private mutating func noteTransferEncoding(_ value: Range<Int>, in buffer: UnsafeRawBufferPointer) {
        summary.hasTransferEncoding = true
        HTTPSyntax.forEachListElement(in: value, of: buffer) { element in
            // A coding may carry parameters after ';'; only its name matters here.
            let semicolon = buffer[element].firstIndex(of: HTTPSyntax.semicolon) ?? element.upperBound
            let nameRange = HTTPSyntax.trimmingWhitespace(element.lowerBound..<semicolon, in: buffer)
            let name = UnsafeRawBufferPointer(rebasing: buffer[nameRange])
            guard HTTPSyntax.isToken(name) else {
                summary.hasInvalidCoding = true
                return
            }
            let isChunked = HTTPSyntax.equalsIgnoringCase(name, "chunked")
            if isChunked { summary.chunkedCount += 1 } else { summary.hasOtherCoding = true }
        }
    }

    /// Checks the head as a whole once its blank line has arrived and fills in the flags.
    mutating func finishHead() throws(HTTPParseError) {
        let isHTTP11 = head.version == .http1_1
        // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400.
        if isHTTP11, summary.hostCount == 0 { throw .missingHost }
        if summary.hasTransferEncoding {
            // RFC 9112 §6.3: both framings at once is how requests are smuggled; refuse.
            if head.contentLength != nil { throw .conflictingLength }
            // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
            if !isHTTP11 || summary.hasInvalidCoding { throw .invalidTransferEncoding }
            // RFC 9112 §6.1 and §7: we decode chunked only (so it is also the final coding).
            if summary.hasOtherCoding { throw .unsupportedTransferEncoding }
            // Chunked applied twice, or no coding at all, is not a valid framing.
            guard summary.chunkedCount == 1 else { throw .invalidTransferEncoding }
            head.isChunked = true
        }
        // RFC 9112 §9.3: persistence defaults differ by version; `close` always wins.
        head.keepAlive = !summary.connectionClose && (isHTTP11 || summary.connectionKeepAlive)
        // RFC 9110 §10.1.1 and §7.8: HTTP/1.0 requests must have Expect and Upgrade ignored.
        head.expectsContinue = isHTTP11 && summary.expectsContinue
        head.isUpgradeRequest = isHTTP11 && summary.connectionUpgrade && summary.hasUpgrade
    }

    /// Whether `value` is `uri-host [ ":" port ]` (RFC 9110 §7.2, RFC 3986 §3.2.2) or empty:
    /// only unreserved, sub-delims, '%', ':', '[' and ']' can appear.
    static func isValidHost(_ value: UnsafeRawBufferPointer) -> Bool {
        value.allSatisfy(isHostByte)
    }

    /// ALPHA, DIGIT and ``-._~%!$&'()*+,;=:[]`` as bitmasks for bytes 0...63 and 64...127
    /// (as `HTTPSyntax.isTokenByte` does): every request carries a Host, and a table costs a
    /// shift where scanning the 19 punctuation bytes per byte cost 0.7 % of a probe's CPU.
    private static let hostByteLow: UInt64 = 0x2FFF_7FF2_0000_0000
    private static let hostByteHigh: UInt64 = 0x47FF_FFFE_AFFF_FFFE

    /// Whether `byte` may appear in a Host value (see `isValidHost`).
    @inline(__always)
    static func isHostByte(_ byte: UInt8) -> Bool {
        if byte < 64 { return hostByteLow & (1 << UInt64(byte)) != 0 }
        if byte < 128 { return hostByteHigh & (1 << UInt64(byte - 64)) != 0 }
        return false
    }
}
