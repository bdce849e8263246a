import Dispatch
import ModelRuntime
@testable import ModelServer
import Synchronization
import Testing

/// The embeddings batcher's timing with a real Dispatch queue: idle dispatch, batching of
/// what arrives during a pass, and the optional wait.
struct EmbeddingBatcherTests {
    /// Collects the completions' vector counts.
    final class Answers: Sendable {
        let done = DispatchSemaphore(value: 0)
        private let counts = Mutex<[Int]>([])
        var vectorCounts: [Int] { counts.withLock { $0 } }
        func record(_ result: Result<EmbeddingBatch, ModelRuntimeError>) {
            counts.withLock { $0.append((try? result.get().vectors.count) ?? -1) }
            done.signal()
        }
    }

    func submit(_ batcher: EmbeddingBatcher, texts: Int, answers: Answers) {
        let rows = (0..<texts).map { [1, 100 + Int32($0), 2] }
        let admission = batcher.submit(rows) { answers.record($0) }
        #expect(admission == .admitted)
    }

    @Test("with the default settings a lone request runs at once; requests during a pass form the next pass")
    func idleDispatchAndBatchingDuringAPass() {
        let model = FakeEmbeddingModel(gated: true)
        let settings = EmbeddingService.Settings(Configuration.defaults).batch
        #expect(settings.maxWait == .zero)
        let batcher = EmbeddingBatcher(model: model, modelID: "m", settings: settings)
        let answers = Answers()
        submit(batcher, texts: 1, answers: answers)
        #expect(model.passStarted.wait(timeout: .now() + 5) == .success)
        submit(batcher, texts: 2, answers: answers)
        submit(batcher, texts: 3, answers: answers)
        model.gate?.signal()
        #expect(model.passStarted.wait(timeout: .now() + 5) == .success)
        model.gate?.signal()
        for _ in 0..<3 { #expect(answers.done.wait(timeout: .now() + 5) == .success) }
        #expect(model.passShapes.map(\.rows) == [1, 5])
        #expect(answers.vectorCounts == [1, 2, 3])
    }

    @Test("a positive max-batch-wait holds a lone request, and a full pass starts at once")
    func positiveWaitHoldsALoneRequest() {
        let model = FakeEmbeddingModel()
        var settings = EmbeddingBatchSettings.test(texts: 4)
        settings.maxWait = .milliseconds(500)
        let batcher = EmbeddingBatcher(model: model, modelID: "m", settings: settings)
        let answers = Answers()
        let clock = ContinuousClock()
        let start = clock.now
        submit(batcher, texts: 1, answers: answers)
        #expect(answers.done.wait(timeout: .now() + 5) == .success)
        #expect(clock.now - start >= .milliseconds(500))
        let fullStart = clock.now
        submit(batcher, texts: 4, answers: answers)
        #expect(answers.done.wait(timeout: .now() + 5) == .success)
        #expect(clock.now - fullStart < .milliseconds(500))
    }

    @Test("the scratch a model keeps between passes counts in reservedBytes, idle or busy")
    func keptScratchIsReserved() {
        let model = FakeEmbeddingModel(gated: true, retainedScratchBytes: 5_000)
        let batcher = EmbeddingBatcher(model: model, modelID: "m", settings: EmbeddingService.Settings(Configuration.defaults).batch)
        #expect(batcher.reservedBytes == 5_000)
        let answers = Answers()
        submit(batcher, texts: 2, answers: answers)
        #expect(model.passStarted.wait(timeout: .now() + 5) == .success)
        #expect(batcher.reservedBytes >= 5_000 + 2 * 3 * model.scratchBytesPerToken)
        model.gate?.signal()
        #expect(answers.done.wait(timeout: .now() + 5) == .success)
    }
}
