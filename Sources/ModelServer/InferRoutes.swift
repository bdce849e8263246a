import Foundation
import HTTPServer
import ModelRuntime

/// `POST /v2/models/{id}/infer`, Open Inference Protocol (KServe v2) for embedding models:
/// one `BYTES` input tensor of texts (any name; shape `[n]` or `[n, 1]`), one `FP32`
/// output tensor `embedding` of shape `[n, dim]`. Errors take the OIP shape
/// `{"error":"..."}`; a model that is loading answers `425` (or `--not-ready-status`) with
/// `Retry-After`.
struct InferRoutes: Sendable {
    let service: EmbeddingService

    func register(in router: inout HTTPRouter) {
        let service = service
        for path in ["/v2/models/{id}/infer", "/v2/models/{id}/versions/{version}/infer"] {
            router.add(.post, path, .asynchronous { request, responder in
                let id = request.pathParameters["id"] ?? ""
                let parsed: InferRequest
                let jsonLength = request.header("Inference-Header-Content-Length").flatMap { Int($0.trimmingASCIIWhitespace()) }
                switch InferRequest.parse(request.body, jsonLength: jsonLength) {
                case .success(let value): parsed = value
                case .failure(let problem): return responder.respond(TritonRoutes.error(.badRequest, problem.message))
                }
                switch service.lookup(id) {
                case .unavailable(let status, _, let message, _, let retryAfter):
                    responder.respond(TritonRoutes.error(status, message,
                                                         headers: retryAfter.map { [("Retry-After", String($0))] } ?? []))
                case .ready(let batcher, let model):
                    batcher.submit(parsed.texts) { result in
                        switch result {
                        case .success(let batch):
                            responder.respond(.json(.ok, Self.encode(batch, id: id, requestID: parsed.id, dimension: model.dimension)))
                        case .failure(let error):
                            responder.respond(TritonRoutes.error(.internalServerError, error.message))
                        }
                    }
                }
            })
        }
    }

    static func encode(_ batch: EmbeddingBatch, id: String, requestID: String?, dimension: Int) -> [UInt8] {
        var json = JSONWriter(capacity: 128 + batch.vectors.count * dimension * 12)
        json.beginObject()
        json.key("model_name"); json.string(id)
        json.key("model_version"); json.string("1")
        if let requestID { json.key("id"); json.string(requestID) }
        json.key("outputs"); json.beginArray()
        json.beginObject()
        json.key("name"); json.string("embedding")
        json.key("datatype"); json.string("FP32")
        json.key("shape"); json.beginArray(); json.int(batch.vectors.count); json.int(dimension); json.endArray()
        json.key("data"); json.beginArray()
        for vector in batch.vectors { for value in vector { json.float(value) } }
        json.endArray()
        json.endObject()
        json.endArray()
        json.endObject()
        return json.bytes
    }
}

/// A parsed OIP inference request with one BYTES input, in JSON or with Triton's binary
/// tensor data extension (`Inference-Header-Content-Length: N`: the first N bytes are the
/// JSON, the input's data follows as elements of a 4-byte little-endian length and its
/// bytes — what `tritonclient` sends by default). The answer is always JSON, which Triton's
/// clients accept.
struct InferRequest: Sendable {
    var texts: [String]
    var id: String?

    struct Problem: Error { var message: String }

    static func parse(_ body: [UInt8], jsonLength: Int? = nil) -> Result<InferRequest, Problem> {
        let jsonBytes: ArraySlice<UInt8>
        var binary: ArraySlice<UInt8> = []
        if let jsonLength {
            guard jsonLength >= 0, jsonLength <= body.count else {
                return .failure(Problem(message: "Inference-Header-Content-Length is larger than the body."))
            }
            jsonBytes = body[..<jsonLength]
            binary = body[jsonLength...]
        } else {
            jsonBytes = body[...]
        }
        guard var object = (try? JSONSerialization.jsonObject(with: Data(jsonBytes))) as? [String: Any] else {
            return .failure(Problem(message: "The body must be a JSON object."))
        }
        if jsonLength != nil, var inputs = object["inputs"] as? [[String: Any]], inputs.count == 1,
           let parameters = inputs[0]["parameters"] as? [String: Any], let size = parameters["binary_data_size"] as? Int {
            guard size == binary.count, let texts = decodeBinaryStrings(binary) else {
                return .failure(Problem(message: "The binary tensor data does not match binary_data_size."))
            }
            inputs[0]["data"] = texts
            object["inputs"] = inputs
        }
        guard let inputs = object["inputs"] as? [[String: Any]], inputs.count == 1, let input = inputs.first else {
            return .failure(Problem(message: "Expected exactly one input tensor of texts."))
        }
        guard input["datatype"] as? String == "BYTES" else {
            return .failure(Problem(message: "The input tensor's datatype must be BYTES."))
        }
        guard let data = input["data"] as? [Any] else {
            return .failure(Problem(message: "The input tensor needs 'data'."))
        }
        let texts = data.flatMap { item -> [Any] in (item as? [Any]) ?? [item] }
        guard !texts.isEmpty, texts.allSatisfy({ $0 is String }) else {
            return .failure(Problem(message: "The input tensor's data must be strings."))
        }
        guard texts.count <= EmbeddingRoutes.maxInputs else {
            return .failure(Problem(message: "At most \(EmbeddingRoutes.maxInputs) texts per request."))
        }
        if let shape = input["shape"] as? [Int], shape.reduce(1, *) != texts.count {
            return .failure(Problem(message: "The input tensor's shape \(shape) does not match its \(texts.count) values."))
        }
        return .success(InferRequest(texts: texts.compactMap { $0 as? String }, id: object["id"] as? String))
    }

    /// Triton's BYTES serialisation: each element is a 4-byte little-endian length then
    /// that many bytes (UTF-8 text here).
    static func decodeBinaryStrings(_ bytes: ArraySlice<UInt8>) -> [String]? {
        var texts: [String] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes.endIndex - index >= 4 else { return nil }
            let length = Int(bytes[index]) | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2]) << 16 | Int(bytes[index + 3]) << 24
            index += 4
            guard length <= bytes.endIndex - index, let text = String(validating: bytes[index..<(index + length)], as: UTF8.self) else {
                return nil
            }
            texts.append(text)
            index += length
        }
        return texts
    }
}
