/// Finds the tokenizer's added tokens (`[CLS]`, `[SEP]`, `[PAD]`, `[UNK]`, `[MASK]`...) in raw
/// input text, so that a literal `[SEP]` a client sends is its special id, as Hugging Face
/// `tokenizers` does. Matching is exact and case-sensitive on the text before normalization
/// (the added tokens' `normalized: false`), leftmost first and then longest.
struct SpecialTokenMatcher: Sendable {
    /// A piece of the input: ordinary text to tokenize, or an added token's id.
    enum Segment: Equatable {
        case text(Substring)
        case token(Int32)
    }

    private let tokens: [(bytes: [UInt8], id: Int32)]
    /// Whether any token starts with this byte; most bytes rule out a match at once.
    private let isFirstByte: [Bool]

    init(tokens: [(content: String, id: Int32)]) {
        let nonEmpty = tokens.filter { !$0.content.isEmpty }
        // Longest first, so the first token that matches at a position is the longest.
        self.tokens = nonEmpty.map { (Array($0.content.utf8), $0.id) }
            .sorted { $0.bytes.count > $1.bytes.count }
        var isFirstByte = [Bool](repeating: false, count: 256)
        for token in self.tokens { isFirstByte[Int(token.bytes[0])] = true }
        self.isFirstByte = isFirstByte
    }

    /// Calls `body` with each segment of `text` in order; returns early when `body` returns
    /// false.
    func forEachSegment(in text: String, _ body: (Segment) -> Bool) {
        let utf8 = text.utf8
        var segmentStart = utf8.startIndex
        var index = utf8.startIndex
        while index < utf8.endIndex {
            guard isFirstByte[Int(utf8[index])], let match = self.match(in: utf8, at: index) else {
                utf8.formIndex(after: &index)
                continue
            }
            // A token's first byte is a UTF-8 lead byte, so `index` is a scalar boundary.
            if segmentStart < index, !body(.text(text[segmentStart..<index])) { return }
            if !body(.token(match.id)) { return }
            index = utf8.index(index, offsetBy: match.length)
            segmentStart = index
        }
        if segmentStart < utf8.endIndex { _ = body(.text(text[segmentStart...])) }
    }

    private func match(in utf8: String.UTF8View, at index: String.Index) -> (id: Int32, length: Int)? {
        for token in tokens {
            var position = index
            var isMatch = true
            for byte in token.bytes {
                guard position < utf8.endIndex, utf8[position] == byte else { isMatch = false; break }
                utf8.formIndex(after: &position)
            }
            if isMatch { return (token.id, token.bytes.count) }
        }
        return nil
    }
}
