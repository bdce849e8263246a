import ModelRuntime
@testable import ModelServer
import Testing

/// The embeddings batcher's state machine: admission, micro-batches under the token budget,
/// reassembly in order, failures, and the numbers it reports.
struct EmbeddingQueueTests {
    /// `count` rows of `length` tokens whose second token is `tag + index` (to check order).
    func rows(_ count: Int, length: Int, tag: Int32 = 100) -> [[Int32]] {
        (0..<count).map { [1, tag + Int32($0)] + Array(repeating: 5, count: max(0, length - 2)) }
    }

    /// Runs every pass with vectors `[row length, second token]`, returning the outcomes and
    /// the passes' (rows, padded tokens).
    func drain(_ queue: inout EmbeddingQueue<String>) -> (outcomes: [EmbeddingQueue<String>.Outcome], passes: [(Int, Int)]) {
        var outcomes: [EmbeddingQueue<String>.Outcome] = []
        var passes: [(Int, Int)] = []
        while let pass = queue.takePass() {
            passes.append((pass.rows.count, pass.paddedTokens))
            let batch = EmbeddingBatch(vectors: pass.rows.map { [Float($0.count), Float($0[1])] },
                                       tokenCount: pass.rows.reduce(0) { $0 + $1.count }, tokenCounts: pass.rows.map(\.count))
            outcomes += queue.passFinished(pass, result: .success(batch), elapsed: .milliseconds(10))
        }
        return (outcomes, passes)
    }

    func finished(_ outcomes: [EmbeddingQueue<String>.Outcome]) -> [(String, EmbeddingBatch)] {
        outcomes.compactMap { if case .finished(let waiter, let batch) = $0 { (waiter, batch) } else { nil } }
    }

    @Test("a large request runs as passes whose padded size stays within the token budget, answered in order")
    func largeRequestIsSplitUnderTheBudget() {
        var queue = EmbeddingQueue<String>(settings: .test(texts: 32, tokens: 20))
        let admitted1 = queue.admit(rows(10, length: 5), waiter: "big")
        #expect(admitted1)
        let (outcomes, passes) = drain(&queue)
        #expect(passes.map(\.0) == [4, 4, 2])
        #expect(passes.allSatisfy { $0.1 <= 20 })
        let done = finished(outcomes)
        #expect(done.map(\.0) == ["big"])
        #expect(done[0].1.vectors.map { $0[1] } == (100..<110).map(Float.init))
        #expect(done[0].1.tokenCount == 50 && done[0].1.tokenCounts == Array(repeating: 5, count: 10))
        #expect(queue.admittedTokens == 0 && queue.queuedTexts == 0 && queue.queuedTokens == 0 && queue.heldVectors == 0)
    }

    @Test("the padded size counts the longest row: one long row shrinks its pass")
    func longestRowSetsThePaddedSize() {
        var queue = EmbeddingQueue<String>(settings: .test(texts: 32, tokens: 40))
        let admitted2 = queue.admit(rows(3, length: 4) + rows(1, length: 20, tag: 200) + rows(3, length: 4, tag: 300), waiter: "mixed")
        #expect(admitted2)
        let (outcomes, passes) = drain(&queue)
        // 3 rows of 4, then the 20-token row makes the 4th row cost 4 × 20 > 40: a new pass.
        #expect(passes.map(\.0) == [3, 2, 2])
        #expect(passes.map(\.1) == [12, 40, 8])
        #expect(finished(outcomes)[0].1.vectors.map { $0[1] } == [100, 101, 102, 200, 300, 301, 302])
    }

    @Test("requests that arrive together share a pass; a request may span passes; each gets its own vectors")
    func requestsShareAndSpanPasses() {
        var queue = EmbeddingQueue<String>(settings: .test(texts: 4, tokens: 1000))
        let admitted3 = queue.admit(rows(3, length: 3, tag: 10), waiter: "a")
        #expect(admitted3)
        let admitted4 = queue.admit(rows(3, length: 3, tag: 20), waiter: "b")
        #expect(admitted4)
        let admitted5 = queue.admit(rows(1, length: 3, tag: 30), waiter: "c")
        #expect(admitted5)
        let (outcomes, passes) = drain(&queue)
        #expect(passes.map(\.0) == [4, 3])
        let done = finished(outcomes)
        #expect(done.map(\.0) == ["a", "b", "c"])
        #expect(done[0].1.vectors.map { $0[1] } == [10, 11, 12])
        #expect(done[1].1.vectors.map { $0[1] } == [20, 21, 22])
        #expect(done[2].1.vectors.map { $0[1] } == [30])
        #expect(done.map(\.1.tokenCount) == [9, 9, 3])
    }

    @Test("a text longer than the token budget runs alone")
    func overlongTextRunsAlone() {
        var queue = EmbeddingQueue<String>(settings: .test(texts: 32, tokens: 8))
        let admitted6 = queue.admit(rows(1, length: 3) + rows(1, length: 12, tag: 200) + rows(1, length: 3, tag: 300), waiter: "r")
        #expect(admitted6)
        let (outcomes, passes) = drain(&queue)
        #expect(passes.map(\.0) == [1, 1, 1])
        #expect(passes.map(\.1) == [3, 12, 3])
        #expect(finished(outcomes)[0].1.vectors.count == 3)
    }

    @Test("past maxQueuedTokens a request is refused before anything is queued; an empty queue admits anything")
    func admissionIsBoundedByQueuedTokens() {
        var queue = EmbeddingQueue<String>(settings: .test(queued: 10))
        let admitted7 = queue.admit(rows(1, length: 50), waiter: "alone")
        #expect(admitted7)  // nothing admitted yet: always admitted
        let admitted8 = queue.admit(rows(1, length: 2), waiter: "refused")
        #expect(!admitted8)
        #expect(queue.admittedTokens == 50 && queue.queuedTexts == 1)
        _ = drain(&queue)
        let admitted9 = queue.admit(rows(2, length: 4), waiter: "a")
        #expect(admitted9)
        let admitted10 = queue.admit(rows(1, length: 2), waiter: "b")
        #expect(admitted10)  // 8 + 2 = 10 fits
        let admitted11 = queue.admit(rows(1, length: 1), waiter: "c")
        #expect(!admitted11)
        let taken = queue.takePass()
        #expect(taken != nil)
        // Running tokens still count: nothing is queued, but nothing is answered either.
        #expect(queue.queuedTokens == 0 && queue.admittedTokens == 10)
        let admitted12 = queue.admit(rows(1, length: 1), waiter: "d")
        #expect(!admitted12)
    }

    @Test("a failed pass fails each of its requests whole and drops their texts not yet embedded")
    func failedPassFailsItsRequests() throws {
        var queue = EmbeddingQueue<String>(settings: .test(texts: 2, tokens: 1000))
        let admitted13 = queue.admit(rows(3, length: 3), waiter: "a")
        #expect(admitted13)
        let admitted14 = queue.admit(rows(1, length: 3), waiter: "b")
        #expect(admitted14)
        let next = queue.takePass()
        let pass = try #require(next)
        let outcomes = queue.passFinished(pass, result: .failure(ModelRuntimeError(code: "x", message: "y")), elapsed: .zero)
        let failed = outcomes.compactMap { if case .failed(let waiter, let error) = $0 { (waiter, error.code) } else { nil } }
        #expect(failed.map(\.0) == ["a"] && failed.map(\.1) == ["x"])
        #expect(queue.queuedTexts == 1 && queue.admittedTokens == 3)
        let rest = drain(&queue)
        #expect(finished(rest.outcomes).map(\.0) == ["b"])
        #expect(queue.admittedTokens == 0 && queue.queuedTokens == 0)
    }

    @Test("a full pass is reported once enough texts or tokens are queued")
    func fullPassByTextsOrTokens() {
        var byTexts = EmbeddingQueue<String>(settings: .test(texts: 3, tokens: 1000))
        _ = byTexts.admit(rows(2, length: 3), waiter: "a")
        #expect(!byTexts.hasFullPass)
        _ = byTexts.admit(rows(1, length: 3), waiter: "b")
        #expect(byTexts.hasFullPass)
        var byTokens = EmbeddingQueue<String>(settings: .test(texts: 100, tokens: 10))
        _ = byTokens.admit(rows(1, length: 10), waiter: "a")
        #expect(byTokens.hasFullPass)
    }

    @Test("a request that finds the queue idle starts passes at once; requests during a pass join the next one")
    func idleRequestStartsAtOnce() throws {
        var queue = EmbeddingQueue<String>(settings: .test(texts: 32))
        _ = queue.admit(rows(1, length: 4), waiter: "a")
        #expect(queue.start() == .now)
        let taken = queue.takePass()
        let first = try #require(taken)
        #expect(first.rows.count == 1)
        // While "a"'s pass runs, two more arrive: no new start, they form the next pass.
        _ = queue.admit(rows(1, length: 4), waiter: "b")
        #expect(queue.start() == .none)
        _ = queue.admit(rows(2, length: 4), waiter: "c")
        #expect(queue.start() == .none)
        _ = queue.passFinished(first, result: .success(EmbeddingBatch(vectors: [[0, 0]], tokenCount: 4, tokenCounts: [4])),
                               elapsed: .milliseconds(1))
        let rest = drain(&queue)
        #expect(rest.passes.map(\.0) == [3])
        #expect(finished(rest.outcomes).map(\.0) == ["b", "c"])
        // The passes stopped when nothing was left: the next request starts them again.
        #expect(!queue.isScheduled)
        _ = queue.admit(rows(1, length: 4), waiter: "d")
        #expect(queue.start() == .now)
    }

    @Test("a positive maxWait holds a request to an idle queue, unless a full pass is queued")
    func positiveWaitHoldsIdleRequests() {
        var settings = EmbeddingBatchSettings.test(texts: 3)
        settings.maxWait = .milliseconds(5)
        var waiting = EmbeddingQueue<String>(settings: settings)
        _ = waiting.admit(rows(2, length: 4), waiter: "a")
        #expect(waiting.start() == .after(.milliseconds(5)))
        _ = waiting.admit(rows(1, length: 4), waiter: "b")
        #expect(waiting.start() == .none)  // already scheduled
        var full = EmbeddingQueue<String>(settings: settings)
        _ = full.admit(rows(3, length: 4), waiter: "a")
        #expect(full.start() == .now)
    }

    @Test("a refused request starts nothing")
    func refusedRequestStartsNothing() {
        var queue = EmbeddingQueue<String>(settings: .test(queued: 4))
        _ = queue.admit(rows(1, length: 4), waiter: "a")
        #expect(queue.start() == .now)
        _ = queue.takePass()
        let admitted = queue.admit(rows(1, length: 4), waiter: "refused")
        #expect(!admitted)
        #expect(queue.start() == .none)
    }

    @Test("Retry-After is the admitted tokens over the measured rate, at least 1 s")
    func retryAfterFollowsTheRate() throws {
        var queue = EmbeddingQueue<String>(settings: .test(texts: 100, tokens: 1000))
        #expect(queue.retryAfterSeconds == 1)  // no pass measured yet
        _ = queue.admit(rows(10, length: 10), waiter: "a")
        let next = queue.takePass()
        let pass = try #require(next)
        let batch = EmbeddingBatch(vectors: pass.rows.map { _ in [0, 0] }, tokenCount: 100, tokenCounts: Array(repeating: 10, count: 10))
        _ = queue.passFinished(pass, result: .success(batch), elapsed: .seconds(1))  // 100 tokens/s
        #expect(queue.tokensPerSecond == 100)
        _ = queue.admit(rows(25, length: 10), waiter: "b")  // 250 tokens: 2.5 s
        #expect(queue.retryAfterSeconds == 3)
    }

    @Test("reserved bytes cover the running or next pass, queued ids and held vectors, and fall to 0")
    func reservedBytesFollowTheWork() throws {
        var queue = EmbeddingQueue<String>(settings: .test(texts: 2, tokens: 1000))
        #expect(queue.reservedBytes(scratchBytesPerToken: 100, dimension: 2) == 0)
        _ = queue.admit(rows(3, length: 10), waiter: "a")
        // Next pass: min(budget 1000, 30 queued) tokens × 100 B, plus 30 ids × 4 B.
        #expect(queue.reservedBytes(scratchBytesPerToken: 100, dimension: 2) == 30 * 100 + 30 * 4)
        let next = queue.takePass()
        let pass = try #require(next)
        #expect(queue.runningPassTokens == 20)
        #expect(queue.reservedBytes(scratchBytesPerToken: 100, dimension: 2) == 20 * 100 + 10 * 4)
        let batch = EmbeddingBatch(vectors: [[0, 0], [0, 0]], tokenCount: 20, tokenCounts: [10, 10])
        _ = queue.passFinished(pass, result: .success(batch), elapsed: .milliseconds(1))
        #expect(queue.heldVectors == 2)
        #expect(queue.reservedBytes(scratchBytesPerToken: 100, dimension: 2) == 10 * 100 + 10 * 4 + 2 * 2 * 4)
        _ = drain(&queue)
        #expect(queue.reservedBytes(scratchBytesPerToken: 100, dimension: 2) == 0)
    }
}
