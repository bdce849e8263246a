import HTTPServer
import ModelLoading

/// The Open Inference Protocol (KServe v2) and Triton model-repository endpoints, wire-
/// compatible with Triton's clients (DESIGN §1.5): `{"error":"..."}` error bodies, index
/// entries `{name, version, state, reason}` with Triton's state names plus our progress
/// fields, and a load that answers only once the load has finished (`200`, or `400` with
/// the failure), as Triton does. Every model has the single version `"1"`.
struct TritonRoutes: Sendable {
    let host: ModelHost
    let readiness: Readiness
    let authorization: AdminAuthorization

    func register(in router: inout HTTPRouter) {
        let loader = host.loader
        let readiness = readiness
        let metadata = Self.serverMetadata()
        router.add(.get, "/v2", .immediate { _ in metadata })
        for path in ["/v2/models/{id}/ready", "/v2/models/{id}/versions/{version}/ready"] {
            router.add(.get, path, .synchronous { request in
                guard let status = loader.snapshot.status(of: request.pathParameters["id"] ?? "") else {
                    return Self.error(.notFound, "Model '\(request.pathParameters["id"] ?? "")' is not known.")
                }
                return readiness.modelResponse(status)
            })
        }
        router.add(.get, "/v2/models/{id}", .synchronous { request in
            guard let status = loader.snapshot.status(of: request.pathParameters["id"] ?? "") else {
                return Self.error(.notFound, "Model '\(request.pathParameters["id"] ?? "")' is not known.")
            }
            return .json(.ok, TritonJSON.modelMetadata(status, model: loader.loadedModel(status.id)))
        })
        router.add(.post, "/v2/repository/index", .synchronous { request in
            .json(.ok, TritonJSON.index(loader.snapshot, readyOnly: TritonJSON.asksReadyOnly(request.body)))
        })
        router.add(.post, "/v2/repository/models/{id}/load", command { id in await Self.load(id, loader: loader) })
        router.add(.post, "/v2/repository/models/{id}/unload", command { id in await Self.unload(id, loader: loader) })
    }

    /// An authorised command whose refusal takes the OIP error shape.
    private func command(_ body: @escaping @Sendable (String) async -> HTTPResponse) -> HTTPHandler {
        authorization.command(denied: { refusal in Self.error(refusal.status, refusal.message, headers: refusal.headers) }, body)
    }

    /// The OIP error shape, `{"error":"..."}`.
    static func error(_ status: HTTPStatus, _ message: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        var json = JSONWriter()
        json.beginObject(); json.key("error"); json.string(message); json.endObject()
        return .json(status, json.bytes, headers: headers)
    }

    private static func serverMetadata() -> HTTPResponse {
        var json = JSONWriter()
        json.beginObject()
        json.key("name"); json.string("modeld")
        json.key("version"); json.string(ModeldVersion.string)
        json.key("extensions"); json.beginArray(); json.string("model_repository"); json.endArray()
        json.endObject()
        return .json(.ok, json.bytes)
    }

    private static func load(_ id: String, loader: ModelLoader) async -> HTTPResponse {
        guard await loader.load(id) != .unknownModel else {
            return error(.badRequest, "failed to load '\(id)', no such model in the repository")
        }
        guard let status = await loader.waitForOutcome(id) else {
            return error(.badRequest, "failed to load '\(id)', no such model in the repository")
        }
        switch status.state {
        case .ready: return HTTPResponse(status: .ok)
        case .cancelled: return error(.badRequest, "failed to load '\(id)': the load was cancelled")
        default:
            let reason = status.failure.map { "\($0.code) at step \($0.step?.number ?? 0): \($0.message)" } ?? status.state.rawValue
            return error(.badRequest, "failed to load '\(id)': \(reason)")
        }
    }

    private static func unload(_ id: String, loader: ModelLoader) async -> HTTPResponse {
        switch await loader.unload(id) {
        case .unknownModel: return error(.badRequest, "failed to unload '\(id)', no such model in the repository")
        case .unloaded, .cancelledLoad, .notLoaded: return HTTPResponse(status: .ok)
        }
    }
}
