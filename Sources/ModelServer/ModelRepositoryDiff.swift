/// What changed between two scans of the model repository, by model id (each list sorted).
///
/// A model is `changed` when its folder, its manifest (runtime, required, load policy,
/// digests) or any of its files (added, removed, or a different size, mtime or inode) differ;
/// `unchanged` when all of them are the same.
struct ModelRepositoryDiff: Sendable, Equatable {
    var added: [String] = []
    var removed: [String] = []
    var changed: [String] = []
    var unchanged: [String] = []

    init(added: [String] = [], removed: [String] = [], changed: [String] = [], unchanged: [String] = []) {
        self.added = added
        self.removed = removed
        self.changed = changed
        self.unchanged = unchanged
    }

    /// The difference from `old` to `new`.
    init(old: [RepositoryModel], new: [RepositoryModel]) {
        let before = Dictionary(old.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        let after = Dictionary(new.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        for id in after.keys.sorted() {
            switch before[id] {
            case nil: added.append(id)
            case let previous? where previous == after[id]: unchanged.append(id)
            case _?: changed.append(id)
            }
        }
        removed = before.keys.filter { after[$0] == nil }.sorted()
    }
}
