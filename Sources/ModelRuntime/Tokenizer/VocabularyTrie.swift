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
        // Insert the spellings in sorted order: each shares a prefix with the previous one,
        // so only the rest needs new nodes, and every node's children appear in byte order.
        let spellings = vocabulary.ids.filter { !$0.key.isEmpty }
            .map { (bytes: Array($0.key.utf8), id: $0.value) }
            .sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        var tokenIDs: [Int32] = [-1]
        var parents: [Int32] = [-1]
        var bytesIn: [UInt8] = [0]
        var path: [Int32] = [Self.root]
        var previous: [UInt8] = []
        for spelling in spellings {
            var shared = 0
            while shared < min(previous.count, spelling.bytes.count),
                  previous[shared] == spelling.bytes[shared] {
                shared += 1
            }
            path.removeSubrange((shared + 1)...)
            for byte in spelling.bytes[shared...] {
                parents.append(path[path.count - 1])
                bytesIn.append(byte)
                tokenIDs.append(-1)
                path.append(Int32(tokenIDs.count - 1))
            }
            tokenIDs[Int(path[path.count - 1])] = spelling.id
            previous = spelling.bytes
        }
        // Group the edges by parent (a stable counting sort keeps each group in byte order).
        let nodeCount = tokenIDs.count
        var edgeStart = [Int32](repeating: 0, count: nodeCount + 1)
        for node in 1..<nodeCount { edgeStart[Int(parents[node]) + 1] += 1 }
        for node in 0..<nodeCount { edgeStart[node + 1] += edgeStart[node] }
        var next = edgeStart
        var edgeBytes = [UInt8](repeating: 0, count: nodeCount - 1)
        var edgeTargets = [Int32](repeating: 0, count: nodeCount - 1)
        var rootChildren = [Int32](repeating: -1, count: 256)
        for node in 1..<nodeCount {
            let parent = Int(parents[node])
            let slot = Int(next[parent])
            next[parent] += 1
            edgeBytes[slot] = bytesIn[node]
            edgeTargets[slot] = Int32(node)
            if parent == Int(Self.root) { rootChildren[Int(bytesIn[node])] = Int32(node) }
        }
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
