/// A binary min-heap of deadlines. Entries are never removed early: a connection that moves
/// its deadline later keeps the old entry, and when that fires it checks its own deadline
/// and re-arms (lazy deletion). This keeps re-arming per keep-alive request allocation-free
/// and the heap small (at most a couple of entries per connection).
struct TimerHeap {
    enum Target {
        /// A registered handler's deadline.
        case handler(Registration)
        /// A loop-level task (watchdog, date refresh...), by its id in `EventLoop.tasksByID`.
        case task(UInt64)
    }

    struct Entry {
        var deadline: LoopInstant
        var sequence: UInt64
        var target: Target

        func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
        }
    }

    private var entries: [Entry] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var earliestDeadline: LoopInstant? { entries.first?.deadline }

    mutating func insert(_ deadline: LoopInstant, _ target: Target) {
        nextSequence &+= 1
        entries.append(Entry(deadline: deadline, sequence: nextSequence, target: target))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(at now: LoopInstant) -> Entry? {
        guard let first = entries.first, first.deadline <= now else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(from: 0)
        }
        return first
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count, entries[left].precedes(entries[smallest]) { smallest = left }
            if right < entries.count, entries[right].precedes(entries[smallest]) { smallest = right }
            if smallest == parent { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
