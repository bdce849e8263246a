import Dispatch
import Foundation
import ModelFormats
import ModelRuntime
@testable import ModelServer
import Synchronization

/// An embedding model double: each Unicode scalar of a text is one token (id = its value),
/// between `[CLS]` (1) and `[SEP]` (2), truncated to `maxSequenceLength`. A row's vector is
/// `[token count, first text token or 0]`, so tests can tell rows apart and check order.
/// It records the shape of every pass and, with `gate`, blocks each pass until the test
/// signals it (after signalling `passStarted`).
final class FakeEmbeddingModel: EmbeddingModel {
    let runtimeName = "fixture-embedding"
    let residentBytes = 1024
    let dimension = 2
    let maxSequenceLength: Int
    let scratchBytesPerToken = 100
    /// What the model says it keeps between passes (`retainedScratchBytes`).
    let retainedScratchBytes: Int
    let gate: DispatchSemaphore?
    let passStarted = DispatchSemaphore(value: 0)
    private let passes = Mutex<[(rows: Int, paddedTokens: Int)]>([])
    private let failing = Mutex(false)

    init(maxSequenceLength: Int = 16, gated: Bool = false, retainedScratchBytes: Int = 0) {
        self.maxSequenceLength = maxSequenceLength
        self.retainedScratchBytes = retainedScratchBytes
        gate = gated ? DispatchSemaphore(value: 0) : nil
    }

    /// The passes run so far: rows and rows × longest row.
    var passShapes: [(rows: Int, paddedTokens: Int)] { passes.withLock { $0 } }

    /// Makes every later pass throw.
    func failPasses() { failing.withLock { $0 = true } }

    func tokenize(_ text: String) throws(ModelRuntimeError) -> [Int32] {
        [1] + text.unicodeScalars.prefix(max(maxSequenceLength, 2) - 2).map { Int32($0.value) } + [2]
    }

    func embed(_ texts: [String]) throws(ModelRuntimeError) -> EmbeddingBatch {
        var rows: [[Int32]] = []
        for text in texts { rows.append(try tokenize(text)) }
        return try embed(tokenized: rows)
    }

    func embed(tokenized rows: [[Int32]]) throws(ModelRuntimeError) -> EmbeddingBatch {
        let longest = rows.map(\.count).max() ?? 0
        passes.withLock { $0.append((rows.count, rows.count * longest)) }
        passStarted.signal()
        gate?.wait()
        if failing.withLock({ $0 }) { throw ModelRuntimeError(code: "fake_failure", message: "the pass failed") }
        let vectors = rows.map { [Float($0.count), Float($0.count > 2 ? $0[1] : 0)] }
        let counts = rows.map(\.count)
        return EmbeddingBatch(vectors: vectors, tokenCount: counts.reduce(0, +), tokenCounts: counts)
    }
}

/// Loads every model folder as a fresh `FakeEmbeddingModel` (manifest `runtime:
/// fixture-embedding`), and remembers the models it made so tests can watch them be freed.
final class FakeEmbeddingRuntime: ModelRuntimeFactory {
    let name = "fixture-embedding"
    let gated: Bool
    private let made = Mutex<[WeakModel]>([])

    struct WeakModel: Sendable { weak let model: FakeEmbeddingModel? }

    init(gated: Bool = false) { self.gated = gated }

    func recognizes(directory: String) -> Bool { false }

    func makeSession(directory: String) throws(ModelRuntimeError) -> any ModelLoadSession {
        FakeEmbeddingSession(gated: gated) { model in self.made.withLock { $0.append(WeakModel(model: model)) } }
    }

    /// How many of the models it made are still alive.
    var liveModels: Int { made.withLock { $0.filter { $0.model != nil }.count } }
}

final class FakeEmbeddingSession: ModelLoadSession {
    let gated: Bool
    let onWarmUp: (FakeEmbeddingModel) -> Void
    init(gated: Bool, onWarmUp: @escaping (FakeEmbeddingModel) -> Void) {
        self.gated = gated
        self.onWarmUp = onWarmUp
    }
    var summary: [(key: String, value: String)] { [] }
    var weightsFileName: String { "model.safetensors" }
    func validate(_ header: SafetensorsHeader) throws(ModelRuntimeError) {}
    func materialize(weights: UnsafeRawBufferPointer, header: SafetensorsHeader, isCancelled: () -> Bool) throws(ModelRuntimeError) {}
    func optimize(isCancelled: () -> Bool) throws(ModelRuntimeError) {}
    func warmUp() throws(ModelRuntimeError) -> any LoadedModel {
        let model = FakeEmbeddingModel(gated: gated)
        onWarmUp(model)
        return model
    }
}

extension EmbeddingBatchSettings {
    /// Settings for tests: no waiting, the given budgets.
    static func test(texts: Int = 32, tokens: Int = 8192, queued: Int = 1 << 20) -> EmbeddingBatchSettings {
        EmbeddingBatchSettings(maxBatchTexts: texts, maxBatchTokens: tokens, maxQueuedTokens: queued, maxWait: .zero)
    }
}
