import Testing
@testable import ModelRuntime

/// `BertScratchCache`: a pass reuses the last pass's scratch when it fits, and scratch over
/// the limit is never kept.
struct BertScratchCacheTests {
    static let configuration = BertTinyModel.configuration

    @Test("a pass gets the kept scratch when it has room, a fresh one when it does not")
    func reusesWhenLargeEnough() {
        let cache = BertScratchCache()
        let first = cache.take(rows: 10, configuration: Self.configuration)
        #expect(cache.retainedBytes == 0)
        cache.give(first)
        #expect(cache.retainedBytes == first.byteCount)
        let second = cache.take(rows: 6, configuration: Self.configuration)
        #expect(second.hidden === first.hidden && second.inner === first.inner)
        #expect(cache.retainedBytes == 0)
        cache.give(second)
        let third = cache.take(rows: 11, configuration: Self.configuration)
        #expect(third.hidden !== first.hidden && third.rows == 11)
        #expect(third.byteCount == 11 * BertScratch.floatsPerRow(Self.configuration) * 4)
    }

    @Test("scratch over the limit is freed, not kept")
    func dropsLargeScratch() {
        let cache = BertScratchCache()
        let rows = BertScratchCache.limitBytes / (BertScratch.floatsPerRow(Self.configuration) * 4) + 1
        cache.give(cache.take(rows: rows, configuration: Self.configuration))
        #expect(cache.retainedBytes == 0)
        let fresh = cache.take(rows: 1, configuration: Self.configuration)
        #expect(fresh.rows == 1)
    }
}
