import Foundation
import HTTPServer
import ModelRuntime

/// `POST /v2/models/{id}/infer`, Open Inference Protocol (KServe v2) for embedding models:
/// one `BYTES` input tensor of texts (any name; shape `[n]` or `[n, 1]`), one `FP32`
/// output tensor `embedding` of shape `[n, dim]`. Errors take the OIP shape
/// `{"error":"..."}`; a model that is loading answers `425` (or `--not-ready-status`) with
/// `Retry-After`.
///
/// The request's sizes are checked as `InferRequest` says (`400`, or `413` past
/// `embeddings.max-inputs`); then the limits it shares with `/v1/embeddings` apply: too
/// many tokens is `413`, a full model queue `503` with `Retry-After`. Bodies over
/// `EmbeddingService.inlineBodyBytes` are parsed and tokenized off the event loop.
struct InferRoutes: Sendable {
    let service: EmbeddingService

    func register(in router: inout HTTPRouter) {
        let service = service
        for path in ["/v2/models/{id}/infer", "/v2/models/{id}/versions/{version}/infer"] {
            router.add(.post, path, .asynchronous { request, responder in
                service.handle(request) { request in
                    let id = request.pathParameters["id"] ?? ""
                    let parsed: InferRequest
                    switch InferRequest.parse(request.body, jsonLengthHeader: request.header("Inference-Header-Content-Length"),
                                              maxInputs: service.limits.maxInputs) {
                    case .success(let value): parsed = value
                    case .failure(let problem): return responder.respond(TritonRoutes.error(problem.status, problem.message))
                    }
                    service.embed(parsed.texts, model: id) { result in
                        switch result {
                        case .success(let batch):
                            responder.respond(.json(.ok, Self.encode(batch, id: id, requestID: parsed.id,
                                                                     dimension: batch.vectors.first?.count ?? 0)))
                        case .failure(let failure):
                            responder.respond(Self.response(for: failure))
                        }
                    }
                }
            })
        }
    }

    /// The OIP answer to a request that got no vectors.
    static func response(for failure: EmbeddingFailure) -> HTTPResponse {
        switch failure {
        case .unavailable(let status, _, let message, _, let retryAfter):
            TritonRoutes.error(status, message, headers: retryAfter.map { [("Retry-After", String($0))] } ?? [])
        case .tooManyTokens:
            TritonRoutes.error(.contentTooLarge, failure.limitMessage)
        case .overloaded(let seconds):
            TritonRoutes.error(.serviceUnavailable, failure.limitMessage, headers: [("Retry-After", String(seconds))])
        case .runtime(let error):
            TritonRoutes.error(.internalServerError, error.message)
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
