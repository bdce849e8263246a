import Dispatch
import Foundation
import HTTPServer
import Logging
import ModelLoading
import ModelRuntime
@testable import ModelServer
import Synchronization
import Testing

/// The embeddings service over a real loader with fake embedding models: the request path's
/// limits (tokens, queue) and batchers that go away with their model.
@Suite(.serialized)
struct EmbeddingServiceTests {
    /// A loader with model `m` (runtime `fixture-embedding`) ready, and a service over it.
    final class Rig {
        let repository: FixtureRepository
        let runtime: FakeEmbeddingRuntime
        let host: ModelHost
        let service: EmbeddingService

        init(gated: Bool = false, adjust: (inout Configuration) -> Void = { _ in }) async throws {
            repository = try FixtureRepository()
            try repository.addModel("m", weightBytes: 64)
            try "runtime: fixture-embedding\n".write(toFile: repository.root + "/m/model.yaml", atomically: true, encoding: .utf8)
            var configuration = Configuration.defaults
            configuration.modelRepository = repository.root
            configuration.stateDir = repository.root + "-state"
            configuration.embeddingMaxBatchWait = .zero
            adjust(&configuration)
            runtime = FakeEmbeddingRuntime(gated: gated)
            host = ModelHost(configuration: configuration, runtimes: [runtime],
                             logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            service = EmbeddingService(loader: host.loader, readiness: Readiness(notReadyStatusCode: 425),
                                       configuration: configuration)
            await host.start()
            let status = await host.loader.waitForOutcome("m")
            try #require(status?.state == .ready)
        }

        func stop() async {
            await host.shutdown()
            try? FileManager.default.removeItem(atPath: repository.root + "-state")
        }

        /// The ready model, as the loader holds it.
        var model: FakeEmbeddingModel? { host.loader.loadedModel("m") as? FakeEmbeddingModel }

        /// `service.embed`, waited for on a Dispatch thread.
        func embed(_ texts: [String]) async -> Result<EmbeddingBatch, EmbeddingFailure> {
            await withCheckedContinuation { continuation in
                service.embed(texts, model: "m") { continuation.resume(returning: $0) }
            }
        }
    }

    /// Polls `condition` (a bounded "eventually": Dispatch releases a finished block on its
    /// own thread, a moment after the block's last effect).
    func eventually(_ what: Comment, within limit: Duration = .seconds(20), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("never happened: \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test("a request's vectors come back in order, through micro-batches under the token budget")
    func embedsThroughMicroBatches() async throws {
        let rig = try await Rig { $0.embeddingLimits.maxBatchTokens = 12 }
        let texts = ["ab", "cd", "e", "fgh", "i", "j"]  // 4, 4, 3, 5, 3, 3 tokens
        let batch = try await rig.embed(texts).get()
        #expect(batch.vectors.map { $0[1] } == texts.map { Float($0.unicodeScalars.first!.value) })
        #expect(batch.tokenCounts == [4, 4, 3, 5, 3, 3] && batch.tokenCount == 22)
        let shapes = try #require(rig.model).passShapes
        #expect(shapes.allSatisfy { $0.paddedTokens <= 12 })
        #expect(shapes.map(\.rows).reduce(0, +) == texts.count)
        await rig.stop()
    }

    @Test("more tokens than max-tokens-per-request is refused before anything is queued")
    func tooManyTokensIsRefusedEarly() async throws {
        let rig = try await Rig { $0.embeddingLimits.maxTokensPerRequest = 10 }
        let passesBefore = try #require(rig.model).passShapes.count
        guard case .failure(.tooManyTokens(let limit, let length)) = await rig.embed(["abcd", "efgh"]) else {
            Issue.record("expected tooManyTokens")
            return
        }
        #expect(limit == 10 && length == 16)
        #expect(try #require(rig.model).passShapes.count == passesBefore)
        #expect(try await rig.embed(["abcd", "ef"]).get().tokenCount == 10)  // exactly the limit
        await rig.stop()
    }

    @Test("a full queue refuses with overloaded and Retry-After; inference scratch is counted while a pass runs")
    func fullQueueIsOverloaded() async throws {
        let rig = try await Rig(gated: true) { $0.embeddingLimits.maxQueuedTokens = 5 }
        let model = try #require(rig.model)
        #expect(rig.service.inferenceScratchBytes == 0)
        let first = Mutex<Result<EmbeddingBatch, EmbeddingFailure>?>(nil)
        rig.service.embed(["abc"], model: "m") { result in first.withLock { $0 = result } }
        model.passStarted.wait()
        #expect(rig.service.inferenceScratchBytes >= 5 * model.scratchBytesPerToken)
        guard case .failure(.overloaded(let seconds)) = await rig.embed(["x"]) else {
            Issue.record("expected overloaded")
            return
        }
        #expect(seconds >= 1)
        model.gate?.signal()
        try await eventually("the first request is answered") { first.withLock { $0 != nil } }
        #expect(try first.withLock { try $0?.get().vectors.count } == 1)
        #expect(rig.service.inferenceScratchBytes == 0)
        await rig.stop()
    }

    @Test("given an unload, the next lookup drops the model's batcher and the model is freed")
    func unloadFreesTheBatcherAndModel() async throws {
        let rig = try await Rig()
        _ = try await rig.embed(["hello"]).get()
        #expect(rig.service.modelsWithBatchers == ["m"])
        #expect(rig.runtime.liveModels == 1)
        #expect(await rig.host.loader.unload("m") == .unloaded)
        guard case .unavailable(let status, let code, _, _, _) = rig.service.lookup("m") else {
            Issue.record("expected unavailable")
            return
        }
        #expect(status.code == 503 && code == "model_not_ready")
        #expect(rig.service.modelsWithBatchers == [])
        try await eventually("the unloaded model is freed") { rig.runtime.liveModels == 0 }
        await rig.stop()
    }

    @Test("release(modelID:) drops the batcher at once; a reload gets a fresh batcher and frees the old model")
    func releaseAndReload() async throws {
        let rig = try await Rig()
        _ = try await rig.embed(["a"]).get()
        rig.service.release(modelID: "m")
        #expect(rig.service.modelsWithBatchers == [])
        _ = try await rig.embed(["a"]).get()
        #expect(rig.service.modelsWithBatchers == ["m"])
        _ = await rig.host.loader.unload("m")
        _ = await rig.host.loader.load("m")
        #expect(await rig.host.loader.waitForOutcome("m")?.state == .ready)
        _ = try await rig.embed(["b"]).get()
        #expect(rig.service.modelsWithBatchers == ["m"])
        try await eventually("only the reloaded model is alive") { rig.runtime.liveModels == 1 }
        await rig.stop()
    }

    @Test("SIGHUP's settings reach the live batcher: a smaller token budget splits the next request")
    func settingsApplyToTheLiveBatcher() async throws {
        let rig = try await Rig()
        _ = try await rig.embed(["abcdef", "abcdef"]).get()
        let model = try #require(rig.model)
        #expect(model.passShapes.last?.rows == 2)
        var changed = Configuration.defaults
        changed.embeddingMaxBatchWait = .zero
        changed.embeddingLimits.maxBatchTokens = 8
        changed.embeddingLimits.maxInputs = 3
        rig.service.applyBatchSettings(changed)
        #expect(rig.service.limits.maxInputs == 3)
        _ = try await rig.embed(["abcdef", "abcdef"]).get()
        #expect(model.passShapes.suffix(2).map(\.rows) == [1, 1])
        await rig.stop()
    }
}
