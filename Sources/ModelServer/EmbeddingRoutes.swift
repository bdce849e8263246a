import Foundation
import HTTPServer
import ModelLoading
import ModelRuntime

/// `POST /v1/embeddings`, OpenAI-compatible (DESIGN §1.5).
///
/// Request: `{"input": "text" | ["text", ...], "model": "id", "encoding_format": "float" |
/// "base64"}`. Answer: `{"object":"list","data":[{"object":"embedding","index":i,
/// "embedding":[...]}],"model":"id","usage":{"prompt_tokens":n,"total_tokens":n}}`; with
/// `base64`, each embedding is the base64 of its little-endian float32 bytes, as OpenAI's
/// clients expect. At most `maxInputs` texts per request (OpenAI's limit, 2048).
struct EmbeddingRoutes: Sendable {
    let service: EmbeddingService
    static let maxInputs = 2048

    func register(in router: inout HTTPRouter) {
        let service = service
        router.add(.post, "/v1/embeddings", .asynchronous { request, responder in
            let parsed: EmbeddingRequest
            switch EmbeddingRequest.parse(request.body) {
            case .success(let value): parsed = value
            case .failure(let problem):
                return responder.respond(.error(problem.status, code: problem.code, message: problem.message))
            }
            switch service.lookup(parsed.model) {
            case .unavailable(let status, let code, let message, let modelStatus, let retryAfter):
                responder.respond(Self.unavailable(status, code: code, message: message, model: modelStatus, retryAfter: retryAfter))
            case .ready(let batcher, _):
                batcher.submit(parsed.inputs) { result in
                    switch result {
                    case .success(let batch): responder.respond(.json(.ok, Self.encode(batch, request: parsed)))
                    case .failure(let error):
                        responder.respond(.error(.internalServerError, code: error.code, message: error.message))
                    }
                }
            }
        })
    }

    /// The error body, plus the model's progress fields when there is a model.
    static func unavailable(_ status: HTTPStatus, code: String, message: String, model: ModelStatus?, retryAfter: Int?) -> HTTPResponse {
        var json = JSONWriter()
        json.beginObject()
        json.key("error"); json.beginObject()
        json.key("code"); json.string(code)
        json.key("message"); json.string(message)
        json.endObject()
        if let model {
            json.key("model"); StatusJSON.writeModel(model, into: &json)
        }
        json.endObject()
        return .json(status, json.bytes, headers: retryAfter.map { [("Retry-After", String($0))] } ?? [])
    }

    static func encode(_ batch: EmbeddingBatch, request: EmbeddingRequest) -> [UInt8] {
        var json = JSONWriter(capacity: 64 + batch.vectors.count * (request.base64 ? 2100 : 4600))
        json.beginObject()
        json.key("object"); json.string("list")
        json.key("data"); json.beginArray()
        for (index, vector) in batch.vectors.enumerated() {
            json.beginObject()
            json.key("object"); json.string("embedding")
            json.key("index"); json.int(index)
            json.key("embedding")
            if request.base64 {
                let bytes = vector.withUnsafeBytes { Data($0) }
                json.string(bytes.base64EncodedString())
            } else {
                json.beginArray()
                for value in vector { json.float(value) }
                json.endArray()
            }
            json.endObject()
        }
        json.endArray()
        json.key("model"); json.string(request.model)
        json.key("usage"); json.beginObject()
        json.key("prompt_tokens"); json.int(batch.tokenCount)
        json.key("total_tokens"); json.int(batch.tokenCount)
        json.endObject()
        json.endObject()
        return json.bytes
    }
}

/// A parsed `/v1/embeddings` request.
struct EmbeddingRequest: Sendable {
    var inputs: [String]
    var model: String
    var base64: Bool

    struct Problem: Error {
        var status: HTTPStatus
        var code: String
        var message: String
        static func invalid(_ message: String) -> Problem { Problem(status: .badRequest, code: "invalid_request", message: message) }
    }

    static func parse(_ body: [UInt8]) -> Result<EmbeddingRequest, Problem> {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return .failure(.invalid("The body must be a JSON object."))
        }
        guard let model = object["model"] as? String, !model.isEmpty else {
            return .failure(.invalid("'model' must name a model."))
        }
        let inputs: [String]
        if let text = object["input"] as? String {
            inputs = [text]
        } else if let texts = object["input"] as? [Any], texts.allSatisfy({ $0 is String }) {
            inputs = texts.compactMap { $0 as? String }
        } else {
            return .failure(.invalid("'input' must be a string or an array of strings."))
        }
        guard !inputs.isEmpty else { return .failure(.invalid("'input' must not be empty.")) }
        guard inputs.count <= EmbeddingRoutes.maxInputs else {
            return .failure(Problem(status: .contentTooLarge, code: "too_many_inputs",
                                    message: "At most \(EmbeddingRoutes.maxInputs) inputs per request."))
        }
        let format = object["encoding_format"] as? String ?? "float"
        guard format == "float" || format == "base64" else {
            return .failure(.invalid("'encoding_format' must be 'float' or 'base64'."))
        }
        return .success(EmbeddingRequest(inputs: inputs, model: model, base64: format == "base64"))
    }
}
