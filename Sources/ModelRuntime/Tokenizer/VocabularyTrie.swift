/// A byte trie over a vocabulary's UTF-8 spellings in flat arrays, so WordPiece finds the
/// longest entry at a position in one pass instead of hashing every shorter candidate.
struct VocabularyTrie: Sendable {
    /// The node every lookup starts from (the empty string).
    static let root: Int32 = 0

    /// Children of node `n` are `edgeBytes[edgeStart[n]..<edgeStart[n + 1]]`, sorted.
    private let edgeStart: [Int32]
    private let edgeBytes: [UInt8]
    private let edgeTargets: [Int32]
    /// Token id ending at each node, or -1.
    private let nodeTokenIDs: [Int32]
    /// The root's children by byte (-1 for none), since almost every lookup starts there.
    private let rootChildren: [Int32]

    init(vocabulary: Vocabulary) {
        // Build with per-node child lists, then flatten into sorted edge arrays.
        var children: [[(byte: UInt8, node: Int32)]] = [[]]
        var tokenIDs: [Int32] = [-1]
        for (token, id) in vocabulary.ids where !token.isEmpty {
            var node = 0
            for byte in token.utf8 {
                if let next = children[node].first(where: { $0.byte == byte }) {
                    node = Int(next.node)
                } else {
                    children.append([])
                    tokenIDs.append(-1)
                    let created = children.count - 1
                    children[node].append((byte, Int32(created)))
                    node = created
                }
            }
            tokenIDs[node] = id
        }
        var edgeStart: [Int32] = [0]
        var edgeBytes: [UInt8] = []
        var edgeTargets: [Int32] = []
        for list in children {
            for edge in list.sorted(by: { $0.byte < $1.byte }) {
                edgeBytes.append(edge.byte)
                edgeTargets.append(edge.node)
            }
            edgeStart.append(Int32(edgeBytes.count))
        }
        var rootChildren = [Int32](repeating: -1, count: 256)
        for edge in children[0] { rootChildren[Int(edge.byte)] = edge.node }
        self.edgeStart = edgeStart
        self.edgeBytes = edgeBytes
        self.edgeTargets = edgeTargets
        self.nodeTokenIDs = tokenIDs
        self.rootChildren = rootChildren
    }

    /// The child of `node` along `byte`, or -1.
    @inline(__always)
    func child(of node: Int32, byte: UInt8) -> Int32 {
        if node == Self.root { return rootChildren[Int(byte)] }
        var low = Int(edgeStart[Int(node)])
        var high = Int(edgeStart[Int(node) + 1])
        while low < high {
            let middle = (low + high) / 2
            let candidate = edgeBytes[middle]
            if candidate == byte { return edgeTargets[middle] }
            if candidate < byte { low = middle + 1 } else { high = middle }
        }
        return -1
    }

    /// The id of the entry spelled by the path to `node`, if one ends there.
    @inline(__always)
    func tokenID(at node: Int32) -> Int32? {
        let id = nodeTokenIDs[Int(node)]
        return id >= 0 ? id : nil
    }

    /// The node reached by `bytes` from the root, or -1 if no entry starts with them.
    func walk(_ bytes: [UInt8]) -> Int32 {
        var node = Self.root
        for byte in bytes where node >= 0 { node = child(of: node, byte: byte) }
        return node
    }
}
