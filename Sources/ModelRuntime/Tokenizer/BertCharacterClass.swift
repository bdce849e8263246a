/// The character classes BERT's basic tokenization is defined by, matching Hugging Face
/// `tokenizers` (`BertNormalizer` and `BertPreTokenizer`), which is what the fast tokenizer
/// and sentence-transformers run. ASCII is answered from a table; other scalars from the
/// standard library's Unicode properties, seen through `legacyCategory(of:)`.
enum BertCharacterClass {
    /// Dropped by text cleaning: U+0000, U+FFFD and "other" characters (Cc, Cf, Co), except
    /// tab, line feed and carriage return, which count as whitespace instead.
    @inline(__always)
    static func isRemovedByCleaning(_ value: UInt32) -> Bool {
        if value < 0x80 { return asciiTable[Int(value)] & removed != 0 }
        if value == 0xFFFD { return true }
        switch legacyCategory(of: value) {
        case .control, .format, .privateUse: return true
        default: return false
        }
    }

    /// Whitespace as Rust's `char::is_whitespace` (the Unicode White_Space property): the
    /// pre-tokenizer splits on it and text cleaning maps it to a plain space.
    @inline(__always)
    static func isWhitespace(_ value: UInt32) -> Bool {
        if value < 0x80 { return asciiTable[Int(value)] & whitespace != 0 }
        guard let scalar = Unicode.Scalar(value) else { return false }
        return scalar.properties.isWhitespace
    }

    /// Punctuation the pre-tokenizer isolates: every ASCII punctuation mark (33-47, 58-64,
    /// 91-96, 123-126, so `$`, `+`, `^` and `` ` `` count although Unicode calls them symbols)
    /// plus Unicode's P* categories.
    @inline(__always)
    static func isPunctuation(_ value: UInt32) -> Bool {
        if value < 0x80 { return asciiTable[Int(value)] & punctuation != 0 }
        switch legacyCategory(of: value) {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// CJK ideographs that get spaces around them, as `tokenizers`' `is_chinese_char`. Its
    /// ranges differ from Google's original Python in one place: Extension E starts at
    /// U+2B920 there, not U+2B820, and parity with `tokenizers` is what counts.
    @inline(__always)
    static func isChineseCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// Combining marks dropped when stripping accents (category Mn, after NFD).
    @inline(__always)
    static func isNonspacingMark(_ value: UInt32) -> Bool {
        value >= 0x300 && legacyCategory(of: value) == .nonspacingMark
    }

    /// Whether `tokenizers`' NFD leaves this scalar alone although current Unicode
    /// decomposes it: its normalization tables predate U+11938 (DIVES AKURU VOWEL SIGN O,
    /// Unicode 13), the only such scalar. It is a starter, so NFD can skip it safely.
    @inline(__always)
    static func isNFDStableInTokenizers(_ value: UInt32) -> Bool {
        value == 0x11938
    }

    /// The general category as `tokenizers` sees it. Its control, format, punctuation and
    /// mark tests come from the `unicode_categories` crate, whose tables are Unicode 8.0:
    /// anything assigned later is unassigned there, and seven characters have changed
    /// category since. Whitespace, NFD and lower-casing use current Unicode in both.
    static func legacyCategory(of value: UInt32) -> Unicode.GeneralCategory {
        guard let scalar = Unicode.Scalar(value), let age = scalar.properties.age,
              age.major < 8 || (age.major == 8 && age.minor == 0) else {
            return .unassigned
        }
        switch value {
        case 0x166D, 0x111C9: return .otherPunctuation
        case 0x1734, 0x1171E: return .nonspacingMark
        case 0x1885, 0x1886: return .otherLetter
        case 0xA9BD: return .spacingMark
        default: return scalar.properties.generalCategory
        }
    }

    private static let removed: UInt8 = 1
    private static let whitespace: UInt8 = 2
    private static let punctuation: UInt8 = 4

    /// Flags for the 128 ASCII scalars. Tab, LF, VT, FF and CR are White_Space, but VT and FF
    /// are also controls, so cleaning drops them before the whitespace mapping sees them.
    private static let asciiTable: [UInt8] = (0..<128).map { (value: Int) -> UInt8 in
        var flags: UInt8 = 0
        let isTabOrNewline = value == 0x09 || value == 0x0A || value == 0x0D
        if (value < 0x20 || value == 0x7F) && !isTabOrNewline { flags |= removed }
        if (0x09...0x0D).contains(value) || value == 0x20 { flags |= whitespace }
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
            || (123...126).contains(value) {
            flags |= punctuation
        }
        return flags
    }
}
