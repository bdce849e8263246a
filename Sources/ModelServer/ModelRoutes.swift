import HTTPServer
import ModelLoading

/// Probes and the model API of DESIGN §1.1 and §1.5 (`/readyz`, `/v1/models...`).
///
/// Reads (probes, status) are answered synchronously on the event loop from the loader's
/// snapshot. Commands (load, cancel, unload) await the loader actor off the loop and answer
/// through the responder; they need the admin token when one is configured.
struct ModelRoutes: Sendable {
    let host: ModelHost
    let readiness: Readiness
    let authorization: AdminAuthorization

    func register(in router: inout HTTPRouter) {
        let loader = host.loader
        let readiness = readiness
        for path in ["/readyz", "/v2/health/ready"] {
            router.add(.get, path, .immediate { _ in readiness.serverResponse(loader.snapshot) })
        }
        router.add(.get, "/v1/models/{id}/ready", .synchronous { request in
            guard let status = loader.snapshot.status(of: request.pathParameters["id"] ?? "") else {
                return Self.unknownModel(request)
            }
            return readiness.modelResponse(status)
        })
        router.add(.get, "/v1/models", .synchronous { _ in .json(.ok, StatusJSON.modelList(loader.snapshot)) })
        router.add(.get, "/v1/models/{id}", .synchronous { request in
            guard let status = loader.snapshot.status(of: request.pathParameters["id"] ?? "") else {
                return Self.unknownModel(request)
            }
            return .json(.ok, StatusJSON.model(status))
        })
        let authorization = authorization
        router.add(.get, "/v1/admin", .synchronous { _ in Self.adminStatus(enabled: authorization.token != nil) })
        router.add(.post, "/v1/models/{id}/load", command { id in await Self.load(id, loader: loader) })
        router.add(.post, "/v1/models/{id}/cancel", command { id in await Self.cancel(id, loader: loader) })
        router.add(.post, "/v1/models/{id}/unload", command { id in await Self.unload(id, loader: loader) })
    }

    private func command(_ body: @escaping @Sendable (String) async -> HTTPResponse) -> HTTPHandler {
        authorization.command(body)
    }

    /// `GET /v1/admin`: whether the mutating endpoints are on (an admin token is configured),
    /// so the dashboard can explain instead of offering buttons that fail. Reveals nothing
    /// about the token itself.
    static func adminStatus(enabled: Bool) -> HTTPResponse {
        var json = JSONWriter()
        json.beginObject()
        json.key("enabled"); json.bool(enabled)
        if !enabled { json.key("message"); json.string(AdminAuthorization.disabledMessage) }
        json.endObject()
        return .json(.ok, json.bytes)
    }

    static func unknownModel(_ request: HTTPRequest) -> HTTPResponse {
        .error(.notFound, code: "model_not_found", message: "No model with id '\(request.pathParameters["id"] ?? "")'.")
    }

    private static func unknown(_ id: String) -> HTTPResponse {
        .error(.notFound, code: "model_not_found", message: "No model with id '\(id)'.")
    }

    private static func load(_ id: String, loader: ModelLoader) async -> HTTPResponse {
        let outcome = await loader.load(id)
        guard outcome != .unknownModel, let status = loader.snapshot.status(of: id) else { return unknown(id) }
        let location = ("Location", "/v1/models/\(id)")
        return .json(outcome == .alreadyReady ? .ok : .accepted, StatusJSON.model(status), headers: [location])
    }

    private static func cancel(_ id: String, loader: ModelLoader) async -> HTTPResponse {
        switch await loader.cancel(id) {
        case .unknownModel: return unknown(id)
        case .nothingToCancel:
            return .error(.conflict, code: "nothing_to_cancel", message: "Model '\(id)' has no queued or running load.")
        case .cancelled:
            return .json(.accepted, loader.snapshot.status(of: id).map(StatusJSON.model) ?? [])
        }
    }

    private static func unload(_ id: String, loader: ModelLoader) async -> HTTPResponse {
        switch await loader.unload(id) {
        case .unknownModel: return unknown(id)
        case .notLoaded(let state):
            return .error(.conflict, code: "model_not_loaded", message: "Model '\(id)' is \(state.rawValue): nothing to unload.")
        case .unloaded, .cancelledLoad:
            return .json(.ok, loader.snapshot.status(of: id).map(StatusJSON.model) ?? [])
        }
    }
}
