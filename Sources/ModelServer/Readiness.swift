import HTTPServer
import ModelLoading
import Synchronization

/// Readiness answers of DESIGN §1.1, computed from the loader's immutable snapshot on the
/// event loop (no lock held across I/O, no actor awaited).
///
/// - `200` when every required model (or the one model asked about) is ready;
/// - `425 Too Early` with `Retry-After` while one is queued or loading;
/// - `503` when one failed, was cancelled, or is not loaded and will not become ready
///   without action; the body names it, its step and its error.
/// `--not-ready-status 503` turns every `425` into a `503` with the same body and
/// `Retry-After`, for balancers that read 4xx as a client bug. `SIGHUP` may switch it
/// (`replaceNotReadyStatus`); the next answer uses the new status.
final class Readiness: Sendable {
    // A lock around a small value: reading it on the probe path allocates nothing.
    private let notReady: Mutex<HTTPStatus>

    /// The status sent instead of `425` (425 or 503).
    var notReadyStatus: HTTPStatus {
        notReady.withLock { $0 }
    }

    init(notReadyStatusCode: Int) {
        notReady = Mutex(Self.status(forCode: notReadyStatusCode))
    }

    /// Answers with `notReadyStatusCode` (425 or 503) from now on.
    func replaceNotReadyStatus(code notReadyStatusCode: Int) {
        notReady.withLock { $0 = Self.status(forCode: notReadyStatusCode) }
    }

    private static func status(forCode code: Int) -> HTTPStatus {
        code == 503 ? .serviceUnavailable : .tooEarly
    }

    /// The whole server: every required model.
    func serverResponse(_ snapshot: RegistrySnapshot) -> HTTPResponse {
        let blocking = snapshot.blockingModels
        let pending = snapshot.models.contains { $0.required && $0.state.isLoadPending }
        let verdict: Verdict = blocking.isEmpty ? (pending ? .loading : .ready) : .unavailable
        return response(verdict, retryAfter: snapshot.retryAfterSeconds, models: snapshot.models)
    }

    /// One model; nil when the id is unknown.
    func modelResponse(_ status: ModelStatus) -> HTTPResponse {
        let verdict: Verdict = status.state == .ready ? .ready : (status.state.isLoadPending ? .loading : .unavailable)
        return response(verdict, retryAfter: max(status.etaSeconds ?? 1, 1), models: [status])
    }

    enum Verdict: String {
        case ready, loading, unavailable
    }

    private func response(_ verdict: Verdict, retryAfter: Int, models: [ModelStatus]) -> HTTPResponse {
        var json = JSONWriter(capacity: 128 + 320 * models.count)
        json.beginObject()
        json.key("status"); json.string(verdict.rawValue)
        json.key("ready"); json.bool(verdict == .ready)
        if verdict == .loading {
            json.key("retry_after_seconds"); json.int(retryAfter)
        }
        json.key("models")
        json.beginArray()
        for status in models { StatusJSON.writeModel(status, into: &json) }
        json.endArray()
        json.endObject()
        switch verdict {
        case .ready:
            return .json(.ok, json.bytes)
        case .loading:
            return .json(notReadyStatus, json.bytes, headers: [("Retry-After", String(retryAfter))])
        case .unavailable:
            return .json(.serviceUnavailable, json.bytes)
        }
    }
}
