#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `Fixtures/minilm_reference.json`: Hugging Face token ids and sentence-transformers
/// embeddings written by `Tests/e2e/tools/reference_embeddings.py`.
struct BertReferenceFixture: Decodable {
    struct Case: Decodable {
        var text: String
        var ids: [Int32]
        var embedding: [Float]
    }

    var maxSeqLength: Int
    var cases: [Case]

    static func load() throws -> BertReferenceFixture {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/minilm_reference.json")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(BertReferenceFixture.self, from: Data(contentsOf: path))
    }

    /// Cosine similarity of two vectors of equal length.
    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, normA: Float = 0, normB: Float = 0
        for index in a.indices {
            dot += a[index] * b[index]
            normA += a[index] * a[index]
            normB += b[index] * b[index]
        }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }
}
