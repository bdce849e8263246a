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
/// clients expect.
///
/// Limits (`EmbeddingLimits`), each checked before the work it guards: more than
/// `maxInputs` texts is `413 too_many_inputs`, more than `maxTokensPerRequest` tokens
/// `413 too_many_tokens`, a full model queue `503 overloaded` with `Retry-After`. Bodies
/// over `EmbeddingService.inlineBodyBytes` are parsed and tokenized off the event loop.
struct EmbeddingRoutes: Sendable {
    let service: EmbeddingService

    func register(in router: inout HTTPRouter) {
        let service = service
        router.add(.post, "/v1/embeddings", .asynchronous { request, responder in
            service.handle(request) { request in
                let parsed: EmbeddingRequest
                switch EmbeddingRequest.parse(request.body, maxInputs: service.limits.maxInputs) {
                case .success(let value): parsed = value
                case .failure(let problem):
                    return responder.respond(.error(problem.status, code: problem.code, message: problem.message))
                }
                service.embed(parsed.inputs, model: parsed.model) { result in
                    switch result {
                    case .success(let batch): responder.respond(.json(.ok, Self.encode(batch, request: parsed)))
                    case .failure(let failure): responder.respond(Self.response(for: failure))
                    }
                }
            }
        })
    }

    /// The answer to a request that got no vectors.
    static func response(for failure: EmbeddingFailure) -> HTTPResponse {
        switch failure {
        case .unavailable(let status, let code, let message, let modelStatus, let retryAfter):
            unavailable(status, code: code, message: message, model: modelStatus, retryAfter: retryAfter)
        case .tooManyTokens:
            .error(.contentTooLarge, code: "too_many_tokens", message: failure.limitMessage)
        case .overloaded(let seconds):
            .error(.serviceUnavailable, code: "overloaded", message: failure.limitMessage,
                   headers: [("Retry-After", String(seconds))])
        case .runtime(let error):
            .error(.internalServerError, code: error.code, message: error.message)
        }
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
