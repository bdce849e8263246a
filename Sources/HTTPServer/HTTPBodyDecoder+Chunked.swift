extension HTTPBodyDecoder {
    /// Advances the chunked framing by one byte outside chunk data (RFC 9112 §7.1).
    mutating func chunkFramingByte(_ byte: UInt8) throws(HTTPParseError) {
        switch state {
        case .chunkSize, .chunkSizeWhitespace, .chunkExtension:
            try chunkSizeLineByte(byte)
        case .chunkSizeLF:
            guard byte == HTTPSyntax.lf else { throw .invalidChunk }
            state = remaining == 0 ? .trailerLineStart : .chunkData
        case .chunkDataCR:
            guard byte == HTTPSyntax.cr else { throw .invalidChunk }
            state = .chunkDataLF
        case .chunkDataLF:
            guard byte == HTTPSyntax.lf else { throw .invalidChunk }
            state = .chunkSize
        case .trailerLineStart, .trailerName, .trailerValue, .trailerLineLF, .finalLF:
            try trailerByte(byte)
        case .fixedLength, .chunkData, .complete:
            preconditionFailure("data states are handled by decode(_:into:)")
        }
    }

    /// `chunk-size [ chunk-ext ] CR`: hex digits, then optional `BWS ";" ...` extensions,
    /// which are checked for control bytes and skipped.
    private mutating func chunkSizeLineByte(_ byte: UInt8) throws(HTTPParseError) {
        lineBytes += 1
        guard lineBytes <= Self.maxChunkLineBytes else { throw .invalidChunk }
        if byte == HTTPSyntax.cr {
            // RFC 9112 §7.1: chunk-size is 1*HEXDIG, and BWS may not end the line.
            guard sizeDigits > 0, state != .chunkSizeWhitespace else { throw .invalidChunk }
            state = .chunkSizeLF
            sizeDigits = 0
            lineBytes = 0
            return
        }
        switch state {
        case .chunkSize:
            if let digit = Self.hexValue(byte) {
                try appendSizeDigit(digit)
            } else if sizeDigits > 0, HTTPSyntax.isWhitespace(byte) {
                state = .chunkSizeWhitespace
            } else if sizeDigits > 0, byte == HTTPSyntax.semicolon {
                state = .chunkExtension
            } else {
                throw .invalidChunk
            }
        case .chunkSizeWhitespace:
            // RFC 9112 §7.1.1: BWS may only precede the ';' of an extension.
            if byte == HTTPSyntax.semicolon {
                state = .chunkExtension
            } else if !HTTPSyntax.isWhitespace(byte) {
                throw .invalidChunk
            }
        default:
            guard HTTPSyntax.isFieldValueByte(byte) else { throw .invalidChunk }
        }
    }

    /// Adds one hex digit to the chunk size, failing as soon as the size would take the
    /// body past `maxBodyBytes`; this also keeps the size far from overflowing.
    private mutating func appendSizeDigit(_ digit: Int) throws(HTTPParseError) {
        sizeDigits += 1
        let (scaled, overflowScale) = remaining.multipliedReportingOverflow(by: 16)
        let (size, overflowAdd) = scaled.addingReportingOverflow(digit)
        guard !overflowScale, !overflowAdd, size <= maxBodyBytes - decodedBytes else { throw .bodyTooLarge }
        remaining = size
    }

    /// The trailer section: field lines validated like the head's, then the final CRLF.
    private mutating func trailerByte(_ byte: UInt8) throws(HTTPParseError) {
        trailerBytes += 1
        guard trailerBytes <= Self.maxTrailerBytes else { throw .headerSectionTooLarge }
        switch state {
        case .trailerLineStart:
            if byte == HTTPSyntax.cr {
                state = .finalLF
            } else if HTTPSyntax.isTokenByte(byte) {
                state = .trailerName
            } else {
                // Includes obs-fold (RFC 9112 §5.2) and an empty field name.
                throw .malformedHeader
            }
        case .trailerName:
            if byte == HTTPSyntax.colon {
                state = .trailerValue
            } else if !HTTPSyntax.isTokenByte(byte) {
                throw .malformedHeader
            }
        case .trailerValue:
            if byte == HTTPSyntax.cr {
                state = .trailerLineLF
            } else if !HTTPSyntax.isFieldValueByte(byte) {
                throw .malformedHeader
            }
        case .trailerLineLF:
            guard byte == HTTPSyntax.lf else { throw .malformedHeader }
            state = .trailerLineStart
        default:
            guard byte == HTTPSyntax.lf else { throw .invalidChunk }
            state = .complete
        }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
