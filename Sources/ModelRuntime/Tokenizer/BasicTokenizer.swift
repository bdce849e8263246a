import Foundation

/// BERT's basic tokenization: Hugging Face `BertNormalizer` (clean text, space out CJK
/// ideographs, strip accents, lower-case, in that order) followed by `BertPreTokenizer`
/// (split on whitespace, isolate punctuation). Works on Unicode scalar values; ASCII never
/// leaves the fast path.
struct BasicTokenizer: Sendable {
    /// Drop control characters, U+0000 and U+FFFD; map whitespace to a space.
    var cleansText: Bool
    /// Put spaces around CJK ideographs so each becomes its own word.
    var separatesChineseCharacters: Bool
    /// Canonical decomposition (NFD), then drop nonspacing marks (Mn).
    var stripsAccents: Bool
    /// Full (unconditional) Unicode lower-case mapping, scalar by scalar.
    var lowercases: Bool

    /// Appends the normalized scalar values of `text` to `output`.
    func normalize(_ text: Substring.UnicodeScalarView, into output: inout [UInt32]) {
        // Scalars waiting for NFD. ASCII is NFD-stable and never combines with what
        // follows, so runs of non-ASCII can be decomposed on their own.
        var pending = String.UnicodeScalarView()
        for scalar in text {
            var value = scalar.value
            if cleansText {
                if BertCharacterClass.isRemovedByCleaning(value) { continue }
                if BertCharacterClass.isWhitespace(value) { value = 0x20 }
            }
            let isChinese = separatesChineseCharacters && BertCharacterClass.isChineseCharacter(value)
            if isChinese { emit(0x20, pending: &pending, into: &output) }
            emit(value, pending: &pending, into: &output)
            if isChinese { emit(0x20, pending: &pending, into: &output) }
        }
        flush(&pending, into: &output)
    }

    /// Calls `body` with the range of each word of `normalized`, in order, until it returns
    /// false.
    func forEachWord(in normalized: [UInt32], _ body: (Range<Int>) -> Bool) {
        var start = 0
        for index in normalized.indices {
            let value = normalized[index]
            if BertCharacterClass.isWhitespace(value) {
                if start < index, !body(start..<index) { return }
                start = index + 1
            } else if BertCharacterClass.isPunctuation(value) {
                if start < index, !body(start..<index) { return }
                if !body(index..<index + 1) { return }
                start = index + 1
            }
        }
        if start < normalized.count { _ = body(start..<normalized.count) }
    }

    @inline(__always)
    private func emit(_ value: UInt32, pending: inout String.UnicodeScalarView, into output: inout [UInt32]) {
        if value < 0x80 {
            if !pending.isEmpty { flush(&pending, into: &output) }
            let isUpper = value >= 0x41 && value <= 0x5A
            output.append(lowercases && isUpper ? value + 0x20 : value)
        } else if stripsAccents && !BertCharacterClass.isNFDStableInTokenizers(value) {
            pending.append(Unicode.Scalar(value).unsafelyUnwrapped)
        } else {
            if !pending.isEmpty { flush(&pending, into: &output) }
            appendLowercased(value, into: &output)
        }
    }

    private func flush(_ pending: inout String.UnicodeScalarView, into output: inout [UInt32]) {
        guard !pending.isEmpty else { return }
        let decomposed = String(pending).decomposedStringWithCanonicalMapping
        for scalar in decomposed.unicodeScalars where !BertCharacterClass.isNonspacingMark(scalar.value) {
            appendLowercased(scalar.value, into: &output)
        }
        pending.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private func appendLowercased(_ value: UInt32, into output: inout [UInt32]) {
        guard lowercases else { output.append(value); return }
        if value < 0x80 {
            let isUpper = value >= 0x41 && value <= 0x5A
            output.append(isUpper ? value + 0x20 : value)
            return
        }
        let properties = Unicode.Scalar(value).unsafelyUnwrapped.properties
        guard properties.changesWhenLowercased else { output.append(value); return }
        for lowered in properties.lowercaseMapping.unicodeScalars { output.append(lowered.value) }
    }
}
