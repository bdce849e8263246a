import HTTPServer
@testable import ModelServer
import Testing
import TestSupport

/// Parsing OIP inference bodies: every client-controlled size is checked before it is used.
struct InferRequestTests {
    func parse(_ json: String, binary: [UInt8]? = nil, header: String? = nil, maxInputs: Int = 2048) -> Result<InferRequest, InferRequest.Problem> {
        let body = Array(json.utf8) + (binary ?? [])
        let jsonLength = header ?? binary.map { _ in String(json.utf8.count) }
        return InferRequest.parse(body, jsonLengthHeader: jsonLength, maxInputs: maxInputs)
    }

    func problem(_ result: Result<InferRequest, InferRequest.Problem>) -> InferRequest.Problem? {
        if case .failure(let problem) = result { problem } else { nil }
    }

    func body(shape: String, data: String = #"["a"]"#) -> String {
        #"{"inputs":[{"name":"text","shape":\#(shape),"datatype":"BYTES","data":\#(data)}]}"#
    }

    /// Triton's BYTES elements: 4-byte little-endian length, then the bytes.
    func elements(_ texts: [String]) -> [UInt8] {
        texts.flatMap { text -> [UInt8] in
            let bytes = Array(text.utf8)
            return withUnsafeBytes(of: UInt32(bytes.count).littleEndian, Array.init) + bytes
        }
    }

    func binaryBody(shape: String, size: Int) -> String {
        #"{"inputs":[{"name":"text","shape":\#(shape),"datatype":"BYTES","parameters":{"binary_data_size":\#(size)}}]}"#
    }

    @Test("the issue's body (shape [Int.max, 2]) is a 400 naming the overflow, not a trap")
    func issueBodyIs400() {
        let issue = #"{"inputs":[{"name":"text","shape":[9223372036854775807,2],"datatype":"BYTES","data":["a"]}]}"#
        let found = problem(parse(issue))
        #expect(found?.status == .badRequest)
        #expect(found?.message.contains("more elements than an Int can count") == true)
    }

    @Test("an overflow in the second or third dimension is caught by checked arithmetic")
    func overflowInLaterDimensions() {
        for shape in ["[2,4611686018427387904]", "[1,2,4611686018427387904]", "[3,3074457345618258603,1]",
                      "[65536,65536,65536,65536]"] {
            #expect(problem(parse(body(shape: shape)))?.message.contains("more elements than an Int") == true, "\(shape)")
        }
    }

    @Test("negative dimensions are refused, even when their product would look right")
    func negativeDimensions() {
        for shape in ["[-1]", "[1,-1]", "[-1,-1]", "[-9223372036854775808]"] {
            let found = problem(parse(body(shape: shape)))
            #expect(found?.status == .badRequest && found?.message.contains("negative dimension") == true, "\(shape)")
        }
    }

    @Test("a dimension that does not fit 64 bits, or is not an integer, is a 400 about the shape")
    func nonIntegerDimensions() {
        for shape in ["[9223372036854775808]", "[1.5]", #"["2"]"#, "7", "null"] {
            #expect(problem(parse(body(shape: shape)))?.message.contains("'shape'") == true, "\(shape)")
        }
        #expect(problem(parse(#"{"inputs":[{"name":"t","datatype":"BYTES","data":["a"]}]}"#))?.message.contains("'shape'") == true)
    }

    @Test("zero elements: a zero dimension with no data has no texts; with data it mismatches")
    func zeroDimensions() {
        #expect(problem(parse(body(shape: "[0]", data: "[]")))?.message.contains("no texts") == true)
        #expect(problem(parse(body(shape: "[0,5]", data: "[]")))?.message.contains("no texts") == true)
        #expect(problem(parse(body(shape: "[0]")))?.message.contains("holds 0 elements but its data has 1") == true)
    }

    @Test("the shape's product must equal the data's element count")
    func mismatchedCounts() {
        #expect(problem(parse(body(shape: "[3]", data: #"["a","b"]"#)))?.message.contains("holds 3 elements but its data has 2") == true)
        #expect(problem(parse(body(shape: "[1]", data: #"["a","b"]"#))) != nil)
        #expect(problem(parse(body(shape: "[2,2]", data: #"[["a","b"],["c"]]"#))) != nil)
        let nested = parse(body(shape: "[2,2]", data: #"[["a","b"],["c","d"]]"#))
        #expect((try? nested.get().texts) == ["a", "b", "c", "d"])
        #expect((try? parse(body(shape: "[2,1]", data: #"["x","y"]"#)).get().texts) == ["x", "y"])
    }

    @Test("more elements than maxElementsPerInput is a 400; more texts than maxInputs a 413, before the data is read")
    func elementAndInputCaps() {
        let overCap = problem(parse(body(shape: "[\(InferRequest.maxElementsPerInput + 1)]"), maxInputs: Int.max))
        #expect(overCap?.status == .badRequest && overCap?.message.contains("at most 1048576 per input") == true)
        let tooMany = problem(parse(body(shape: "[3]", data: #"["a","b","c"]"#), maxInputs: 2))
        #expect(tooMany?.status == .contentTooLarge && tooMany?.message.contains("At most 2 texts") == true)
        // The shape is judged before the data: a huge declared count is refused whatever follows.
        #expect(problem(parse(binaryBody(shape: "[5000]", size: 0), binary: []))?.status == .contentTooLarge)
    }

    @Test("other malformed bodies get specific 400s")
    func malformedBodies() {
        #expect(problem(parse("not json"))?.message.contains("JSON object") == true)
        #expect(problem(parse(#"{"inputs":[]}"#))?.message.contains("exactly one input") == true)
        let two = #"{"inputs":[{"name":"a","shape":[1],"datatype":"BYTES","data":["a"]},{"name":"b","shape":[1],"datatype":"BYTES","data":["b"]}]}"#
        #expect(problem(parse(two))?.message.contains("exactly one input") == true)
        #expect(problem(parse(#"{"inputs":[{"name":"a","shape":[1],"datatype":"FP32","data":[1.0]}]}"#))?.message.contains("BYTES") == true)
        #expect(problem(parse(body(shape: "[2]", data: #"["a",7]"#)))?.message.contains("must be strings") == true)
        #expect(problem(parse(#"{"inputs":[{"name":"a","shape":[1],"datatype":"BYTES"}]}"#))?.message.contains("needs 'data'") == true)
    }

    @Test("binary tensor data: the request id and texts come through")
    func binaryData() throws {
        let data = elements(["hello world", "", "ünïcode"])
        let json = #"{"id":"r1","inputs":[{"name":"text","shape":[3,1],"datatype":"BYTES","parameters":{"binary_data_size":\#(data.count)}}]}"#
        let request = try parse(json, binary: data).get()
        #expect(request.texts == ["hello world", "", "ünïcode"] && request.id == "r1")
    }

    @Test("binary lengths that lie are refused: size, element lengths, element count, header")
    func binaryLengthsThatLie() {
        let data = elements(["ab", "cd"])
        // binary_data_size says more or less than what follows the JSON.
        #expect(problem(parse(binaryBody(shape: "[2]", size: data.count + 1), binary: data))?.message.contains("binary_data_size") == true)
        #expect(problem(parse(binaryBody(shape: "[2]", size: data.count - 1), binary: data))?.message.contains("binary_data_size") == true)
        // An element's length runs past the end.
        var longLength = data
        longLength[0] = 200
        #expect(problem(parse(binaryBody(shape: "[2]", size: longLength.count), binary: longLength))?.message.contains("runs past the end") == true)
        // An element's length prefix is cut.
        let cut = data + [1, 0]
        #expect(problem(parse(binaryBody(shape: "[3]", size: cut.count), binary: cut))?.message.contains("inside an element's length") == true)
        // More or fewer elements than the shape declares.
        #expect(problem(parse(binaryBody(shape: "[1]", size: data.count), binary: data))?.message.contains("more than the shape's 1") == true)
        #expect(problem(parse(binaryBody(shape: "[3]", size: data.count), binary: data))?.message.contains("holds 2 elements; the shape declares 3") == true)
        // The header is larger than the body, not a number, or missing; or bytes follow without a size.
        let json = binaryBody(shape: "[2]", size: data.count)
        #expect(problem(parse(json, binary: data, header: "999999"))?.message.contains("larger than the body") == true)
        #expect(problem(parse(json, binary: data, header: "-1"))?.message.contains("non-negative integer") == true)
        #expect(problem(parse(json, binary: data, header: "12abc"))?.message.contains("non-negative integer") == true)
        #expect(problem(parse(json))?.message.contains("needs the Inference-Header-Content-Length") == true)
        #expect(problem(parse(body(shape: "[1]"), binary: [1, 2, 3]))?.message.contains("no binary_data_size") == true)
        #expect(problem(parse(#"{"inputs":[{"name":"t","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":-4}}]}"#,
                              binary: []))?.message.contains("binary_data_size") == true)
    }

    @Test("every truncation of a binary request, cut byte by byte or at random points, is a 400, never a trap")
    func everyTruncationIsRefused() throws {
        let data = elements(["the quick brown fox", "jumps", "over the lazy dog"])
        let json = binaryBody(shape: "[3]", size: data.count)
        let whole = Array(json.utf8) + data
        #expect((try? InferRequest.parse(whole, jsonLengthHeader: String(json.utf8.count), maxInputs: 8).get().texts.count) == 3)
        for split in ByteSplit.standard() {
            for length in split.prefixLengths(count: whole.count) where length < whole.count {
                let prefix = Array(whole[..<length])
                // The header as sent (the JSON's length) and as a liar would adjust it.
                for header in [String(json.utf8.count), String(min(length, json.utf8.count))] {
                    let result = InferRequest.parse(prefix, jsonLengthHeader: header, maxInputs: 8)
                    #expect(problem(result)?.status == .badRequest, "\(split) prefix \(length) header \(header)")
                }
            }
        }
    }
}
