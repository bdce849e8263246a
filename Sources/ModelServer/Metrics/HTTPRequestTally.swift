import Synchronization

/// One loop's running totals of the responses it sent, per (route, method, status) key:
/// count, summed duration and a duration histogram. Written by that loop's thread only and
/// read by `/metrics` rendering, so its lock is uncontended on the request path and no cache
/// line is shared between loops.
///
/// Allocation: a key's cell (and its bucket array) is made on that key's first response;
/// after that, recording mutates it in place. Reading sums the cells without copying them
/// out, so the loop never pays for a copy-on-write after a scrape.
final class HTTPRequestTally: Sendable {
    /// The totals of one key.
    struct Cell {
        var count = 0
        var nanoseconds = 0
        /// Responses per bucket, not cumulative: `buckets[i]` counts durations in
        /// `(bounds[i-1], bounds[i]]`; the last slot holds those above every bound.
        var buckets: [Int]

        init(bucketCount: Int) {
            buckets = Array(repeating: 0, count: bucketCount + 1)
        }

        mutating func record(nanoseconds duration: Int, bucket: Int) {
            count += 1
            nanoseconds += duration
            buckets[bucket] += 1
        }

        mutating func add(_ other: Cell) {
            count += other.count
            nanoseconds += other.nanoseconds
            for index in buckets.indices { buckets[index] += other.buckets[index] }
        }
    }

    /// The cells by key, and where the last key recorded sits: a loop answering the same
    /// route over and over (probes) finds its cell without hashing the key again (the
    /// dictionary lookup was a third of the observer's cost in `perf`). The index stays valid
    /// until the next insertion, which replaces it.
    struct Cells {
        var byKey: [Int: Cell] = [:]
        var lastKey = -1
        var lastIndex: Dictionary<Int, Cell>.Index?
    }

    /// Upper bounds of the duration buckets, in nanoseconds, ascending.
    let boundsNanoseconds: [Int]
    private let cells = Mutex(Cells())

    init(boundsNanoseconds: [Int]) {
        self.boundsNanoseconds = boundsNanoseconds
    }

    /// Counts one response of `key` that took `nanoseconds`.
    func record(key: Int, nanoseconds: Int) {
        var bucket = 0
        while bucket < boundsNanoseconds.count && nanoseconds > boundsNanoseconds[bucket] { bucket += 1 }
        let bucketCount = boundsNanoseconds.count
        cells.withLock { cells in
            if key == cells.lastKey, let index = cells.lastIndex {
                cells.byKey.values[index].record(nanoseconds: nanoseconds, bucket: bucket)
                return
            }
            // One lookup; the cell is mutated in place, its default made only on first use.
            cells.byKey[key, default: Cell(bucketCount: bucketCount)].record(nanoseconds: nanoseconds, bucket: bucket)
            cells.lastKey = key
            cells.lastIndex = cells.byKey.index(forKey: key)
        }
    }

    /// Adds this loop's totals into `totals`.
    func addTotals(into totals: inout [Int: Cell]) {
        cells.withLock { cells in
            for (key, cell) in cells.byKey {
                totals[key, default: Cell(bucketCount: boundsNanoseconds.count)].add(cell)
            }
        }
    }
}
