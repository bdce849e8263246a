import Testing
@testable import ModelRuntime

/// The encoder against sentence-transformers on PyTorch, on the real all-MiniLM-L6-v2.
@Suite(.enabled(if: BertTestModel.directory != nil, BertTestModel.skipReason))
struct BertReferenceTests {
    let model: BertEmbeddingModel
    let fixture: BertReferenceFixture

    init() throws {
        model = try #require(BertTestModel.loaded).get()
        fixture = try BertReferenceFixture.load()
    }

    @Test("every reference sentence embedded alone has cosine ≥ 0.9999 to sentence-transformers")
    func eachSentenceMatchesReference() throws {
        for reference in fixture.cases {
            let batch = EncodedBatch(unpadded: [reference.ids])
            let vector = try model.embed(tokenBatch: batch).vectors[0]
            let similarity = BertReferenceFixture.cosine(vector, reference.embedding)
            #expect(similarity >= 0.9999, "\(reference.text.prefix(40)): cosine \(similarity)")
        }
    }

    @Test("one padded batch of all sentences matches the reference and reports every token")
    func paddedBatchMatchesReference() throws {
        let batch = EncodedBatch(unpadded: fixture.cases.map(\.ids))
        let result = try model.embed(tokenBatch: batch)
        #expect(result.tokenCount == fixture.cases.reduce(0) { $0 + $1.ids.count })
        for (vector, reference) in zip(result.vectors, fixture.cases) {
            let similarity = BertReferenceFixture.cosine(vector, reference.embedding)
            #expect(similarity >= 0.9999, "\(reference.text.prefix(40)): cosine \(similarity)")
        }
    }

    @Test("the model reports MiniLM's dimension, sequence limit and resident weights")
    func modelReportsShape() {
        #expect(model.dimension == 384)
        #expect(model.maxSequenceLength == fixture.maxSeqLength)
        #expect(model.runtimeName == "bert-embedding")
        // 22.7 M parameters in f32, plus the fused copies' padding: about 87 MiB.
        #expect(model.residentBytes > 80_000_000 && model.residentBytes < 100_000_000)
    }

    @Test("embedding texts without an attached tokenizer fails with tokenizer_unavailable")
    func textsWithoutTokenizerFail() {
        #expect(throws: ModelRuntimeError.tokenizerUnavailable) { try model.embed(["hello"]) }
    }

    @Test("a token id past the vocabulary is refused with invalid_input")
    func outOfVocabularyIdIsRefused() {
        let batch = EncodedBatch(unpadded: [[101, 40_000, 102]])
        #expect(throws: ModelRuntimeError.self) { try model.embed(tokenBatch: batch) }
    }
}
