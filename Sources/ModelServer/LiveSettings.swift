/// The holders through which requests read the settings a `SIGHUP` can change, each
/// shared by the routes that need it and read per request (or per new connection):
/// - `readiness`: `not-ready-status`;
/// - `authorization`: the admin token (`admin-token-file`, re-read on every reload);
/// - `roomRoutes`: `websocket.*`, for connections opened afterwards;
/// - `embeddings`: every `embeddings.*` key (batching and the limits of `EmbeddingLimits`).
///
/// Open connections are never touched: a keep-alive connection's next request simply sees
/// the new values.
struct LiveSettings: Sendable {
    let readiness: Readiness
    let authorization: AdminAuthorization
    let roomRoutes: RoomRoutes
    let embeddings: EmbeddingService

    /// Puts `configuration`'s values and `adminToken` (already read from its file) in force.
    func apply(_ configuration: Configuration, adminToken: [UInt8]?) {
        authorization.replaceToken(adminToken)
        readiness.replaceNotReadyStatus(code: configuration.notReadyStatus)
        roomRoutes.applySettings(configuration)
        embeddings.applyBatchSettings(configuration)
    }

    /// Sends `model_removed` to the rooms of each model a reload removed.
    func announceRemoved(_ ids: [String]) {
        for id in ids { roomRoutes.rooms.modelRemoved(id) }
    }
}
