/// WordPiece: splits one word into the longest vocabulary entries, left to right, the
/// pieces after the first carrying the continuation prefix (`##`). A word with a part no
/// entry matches, or longer than `maxInputCharactersPerWord`, becomes `[UNK]`, as in Hugging
/// Face `tokenizers`' `WordPiece::tokenize`.
struct WordPiece: Sendable {
    /// Words with more scalars than this become one `[UNK]`. Default 100.
    let maxInputCharactersPerWord: Int
    /// Id emitted for words that cannot be split.
    let unknownID: Int32

    private let trie: VocabularyTrie
    /// Trie node reached by the continuation prefix; where continuation pieces start.
    private let continuationNode: Int32

    init(vocabulary: Vocabulary, continuationPrefix: String, unknownID: Int32,
         maxInputCharactersPerWord: Int) {
        let trie = VocabularyTrie(vocabulary: vocabulary)
        self.trie = trie
        self.continuationNode = trie.walk(Array(continuationPrefix.utf8))
        self.unknownID = unknownID
        self.maxInputCharactersPerWord = maxInputCharactersPerWord
    }

    /// Appends the ids of `word` (normalized scalar values) to `output`. `bytes` is scratch
    /// space, reused across calls to avoid allocating per word.
    func tokenize(_ word: ArraySlice<UInt32>, bytes: inout [UInt8], into output: inout [Int32]) {
        if word.count > maxInputCharactersPerWord {
            output.append(unknownID)
            return
        }
        bytes.removeAll(keepingCapacity: true)
        for value in word { Self.appendUTF8(value, to: &bytes) }

        let firstPiece = output.count
        var start = 0
        while start < bytes.count {
            // Greedy longest match: walk the trie as far as the bytes allow and remember the
            // last node that ends an entry. Entries are whole UTF-8 strings, so that match
            // always ends on a scalar boundary, as the reference's shrinking loop requires.
            var node: Int32 = start == 0 ? VocabularyTrie.root : continuationNode
            var matchEnd = -1
            var matchID: Int32 = -1
            var position = start
            while node >= 0 && position < bytes.count {
                node = trie.child(of: node, byte: bytes[position])
                position += 1
                if node >= 0, let id = trie.tokenID(at: node) {
                    matchEnd = position
                    matchID = id
                }
            }
            guard matchEnd > 0 else {
                output.removeSubrange(firstPiece...)
                output.append(unknownID)
                return
            }
            output.append(matchID)
            start = matchEnd
        }
    }

    @inline(__always)
    private static func appendUTF8(_ value: UInt32, to bytes: inout [UInt8]) {
        switch value {
        case 0..<0x80:
            bytes.append(UInt8(value))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | value >> 6))
            bytes.append(UInt8(0x80 | value & 0x3F))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | value >> 12))
            bytes.append(UInt8(0x80 | value >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | value & 0x3F))
        default:
            bytes.append(UInt8(0xF0 | value >> 18))
            bytes.append(UInt8(0x80 | value >> 12 & 0x3F))
            bytes.append(UInt8(0x80 | value >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | value & 0x3F))
        }
    }
}
