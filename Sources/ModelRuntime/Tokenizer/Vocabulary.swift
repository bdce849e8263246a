/// A WordPiece vocabulary: token strings by id, and ids by token string.
struct Vocabulary: Sendable {
    /// Token strings indexed by id; ids the files skip are empty strings.
    let tokens: [String]
    /// Id of each token string.
    let ids: [String: Int32]

    /// Number of ids, i.e. one more than the largest id.
    var count: Int { tokens.count }

    /// Builds the vocabulary from `(token, id)` pairs; a later pair for the same token wins,
    /// as in Hugging Face's `load_vocab`.
    init(entries: [(token: String, id: Int32)]) {
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(entries.count)
        var largest: Int32 = -1
        for entry in entries {
            ids[entry.token] = entry.id
            largest = max(largest, entry.id)
        }
        var tokens = [String](repeating: "", count: Int(largest) + 1)
        for (token, id) in ids { tokens[Int(id)] = token }
        self.tokens = tokens
        self.ids = ids
    }

    /// Parses `vocab.txt`: one token per line, the line number (from 0) is its id.
    init(vocabText: String) {
        var entries: [(token: String, id: Int32)] = []
        var id: Int32 = 0
        // Split on "\n" only, keeping empty lines, so ids stay aligned with line numbers.
        for line in vocabText.split(separator: "\n", omittingEmptySubsequences: false) {
            let token = line.hasSuffix("\r") ? line.dropLast() : line
            entries.append((String(token), id))
            id += 1
        }
        if let last = entries.last, last.token.isEmpty { entries.removeLast() }
        self.init(entries: entries)
    }

    /// The id of `token`, if the vocabulary has it.
    func id(of token: String) -> Int32? { ids[token] }
}
