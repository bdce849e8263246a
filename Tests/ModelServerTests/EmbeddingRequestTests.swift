import HTTPServer
@testable import ModelServer
import Testing
import TestSupport

/// Parsing `/v1/embeddings` bodies into typed values.
struct EmbeddingRequestTests {
    func parse(_ json: String, maxInputs: Int = 2048) -> Result<EmbeddingRequest, EmbeddingRequest.Problem> {
        EmbeddingRequest.parse(Array(json.utf8), maxInputs: maxInputs)
    }

    func problem(_ json: String, maxInputs: Int = 2048) -> EmbeddingRequest.Problem? {
        if case .failure(let problem) = parse(json, maxInputs: maxInputs) { problem } else { nil }
    }

    @Test("a string or an array of strings, the model, and the encoding format are read; other fields are ignored")
    func validBodies() throws {
        let one = try parse(#"{"model":"m","input":"hello","user":"u","dimensions":3}"#).get()
        #expect(one.inputs == ["hello"] && one.model == "m" && !one.base64)
        let many = try parse(#"{"input":["a","b\u00e9"],"model":"m","encoding_format":"base64"}"#).get()
        #expect(many.inputs == ["a", "bé"] && many.base64)
        #expect(try parse(#"{"model":"m","input":"x","encoding_format":null}"#).get().base64 == false)
    }

    @Test("each malformed field gets its own 400 invalid_request message")
    func malformedFields() {
        let cases: [(String, String)] = [
            ("[1,2]", "JSON object"),
            ("{", "JSON object"),
            (#"{"input":"x"}"#, "'model'"),
            (#"{"model":"","input":"x"}"#, "'model'"),
            (#"{"model":7,"input":"x"}"#, "'model'"),
            (#"{"model":"m","input":7}"#, "'input'"),
            (#"{"model":"m","input":["a",1]}"#, "'input'"),
            (#"{"model":"m"}"#, "'input'"),
            (#"{"model":"m","input":[]}"#, "must not be empty"),
            (#"{"model":"m","input":"x","encoding_format":"hex"}"#, "'encoding_format'"),
            (#"{"model":"m","input":"x","encoding_format":5}"#, "'encoding_format'"),
        ]
        for (json, fragment) in cases {
            let found = problem(json)
            #expect(found?.status == .badRequest && found?.code == "invalid_request", "\(json)")
            #expect(found?.message.contains(fragment) == true, "\(json): \(found?.message ?? "parsed")")
        }
    }

    @Test("more inputs than maxInputs is 413 too_many_inputs; exactly maxInputs is accepted")
    func tooManyInputs() throws {
        let three = #"{"model":"m","input":["a","b","c"]}"#
        let found = problem(three, maxInputs: 2)
        #expect(found?.status == .contentTooLarge && found?.code == "too_many_inputs")
        #expect(found?.message.contains("At most 2 inputs") == true)
        #expect(try parse(three, maxInputs: 3).get().inputs.count == 3)
    }

    @Test("every truncation of a valid body, cut byte by byte or at random points, is refused")
    func everyTruncationIsRefused() {
        let whole = Array(#"{"model":"minilm","input":["the quick brown fox","jumps over"],"encoding_format":"float"}"#.utf8)
        #expect((try? EmbeddingRequest.parse(whole, maxInputs: 8).get().inputs.count) == 2)
        for split in ByteSplit.standard() {
            for length in split.prefixLengths(count: whole.count) where length < whole.count {
                #expect(problem(String(decoding: whole[..<length], as: UTF8.self)) != nil, "\(split) prefix \(length)")
            }
        }
    }
}
