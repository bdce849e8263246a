public import HTTPServer
import EventLoop
import WebSocket

/// The HTTP side: handshake, long polls, posts, preflight, WebSocket upgrades.
extension EngineIOServer {
    /// Engine.IO's error codes (engine.io `Server.errors`).
    enum Failure: Int {
        case unknownTransport = 0, unknownSession, badHandshakeMethod, badRequest, forbidden, unsupportedProtocolVersion

        var status: HTTPStatus { self == .forbidden ? .forbidden : .badRequest }
    }

    /// `{"code":N,"message":...}` with the status Engine.IO uses for it, unless `status` says
    /// otherwise.
    static func failure(_ failure: Failure, _ message: String, status: HTTPStatus? = nil,
                        headers: [(name: String, value: String)] = []) -> HTTPResponse {
        var body = Array("{\"code\":\(failure.rawValue),\"message\":".utf8)
        JSONText.appendString(message, to: &body)
        body.append(UInt8(ascii: "}"))
        return .json(status ?? failure.status, body, headers: headers)
    }

    static func text(_ body: [UInt8], headers: [(name: String, value: String)]) -> HTTPResponse {
        HTTPResponse(status: .ok, contentType: "text/plain; charset=UTF-8", headers: headers, body: body)
    }

    /// CORS headers for `request`'s `Origin`, or nil when the origin is refused (no `Origin`:
    /// no headers needed).
    func corsHeaders(_ request: HTTPRequest) -> [(name: String, value: String)]? {
        guard settings.origins.allows(origins: request.headerValues("Origin").map(\.utf8),
                                      hosts: request.headerValues("Host").map(\.utf8)) else { return nil }
        guard let origin = request.header("Origin") else { return [] }
        return [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true"), ("Vary", "Origin")]
    }

    /// Checks `EIO`, transport and origin; the error response, or the CORS headers.
    private func check(_ request: HTTPRequest) -> Result<[(name: String, value: String)], HTTPFailure> {
        guard let cors = corsHeaders(request) else {
            return .failure(HTTPFailure(Self.failure(.forbidden, "Origin not allowed (setting websocket.allowed-origins).")))
        }
        guard request.queryValues("EIO").first == "4" else {
            return .failure(HTTPFailure(Self.failure(.unsupportedProtocolVersion,
                                                     "Unsupported protocol version: this server speaks EIO=4.", headers: cors)))
        }
        let transport = request.queryValues("transport").first
        guard transport == "polling" || transport == "websocket" else {
            return .failure(HTTPFailure(Self.failure(.unknownTransport,
                                                     "Transport unknown: use transport=polling or transport=websocket.", headers: cors)))
        }
        return .success(cors)
    }

    struct HTTPFailure: Error { let response: HTTPResponse; init(_ response: HTTPResponse) { self.response = response } }

    /// The `GET` route.
    public var getHandler: HTTPHandler {
        .upgrade { [self] request in
            let cors: [(name: String, value: String)]
            switch check(request) {
            case .failure(let failure): return .reject(failure.response)
            case .success(let headers): cors = headers
            }
            let sid = request.queryValues("sid").first
            if request.queryValues("transport").first == "websocket" { return webSocket(request, sid: sid, cors: cors) }
            guard let sid else {
                return .respondLater { [self] responder, loop in openPollingSession(responder: responder, cors: cors, loop: loop) }
            }
            return .respondLater { [self] responder, _ in
                let found = onSessionLoop(sid) { [self] session, loop in
                    guard let session else { return responder.respond(notPolling(sid, headers: cors)) }
                    session.poll(responder: responder, headers: cors, loop: loop)
                }
                if !found { responder.respond(Self.failure(.unknownSession, "Session ID unknown.", headers: cors)) }
            }
        }
    }

    /// The `POST` route.
    public var postHandler: HTTPHandler {
        .asynchronous { [self] request, responder in
            let cors: [(name: String, value: String)]
            switch check(request) {
            case .failure(let failure): return responder.respond(failure.response)
            case .success(let headers): cors = headers
            }
            guard request.queryValues("transport").first == "polling" else {
                return responder.respond(Self.failure(.badRequest, "POST is for transport=polling.", headers: cors))
            }
            guard let sid = request.queryValues("sid").first else {
                return responder.respond(Self.failure(.badHandshakeMethod, "A session starts with GET, not POST.", headers: cors))
            }
            let body = request.body
            let found = onSessionLoop(sid) { [self] session, loop in
                guard let session else { return responder.respond(notPolling(sid, headers: cors)) }
                session.post(body, responder: responder, headers: cors, loop: loop)
            }
            if !found { responder.respond(Self.failure(.unknownSession, "Session ID unknown.", headers: cors)) }
        }
    }

    /// The answer to a poll or post for `sid` when its loop no longer has it polling: the
    /// session closed after the request looked it up (checked again now, so a closed session
    /// always gets `Session ID unknown`), or it moved to a WebSocket.
    func notPolling(_ sid: String, headers: [(name: String, value: String)]) -> HTTPResponse {
        guard home(of: sid) != nil else { return Self.failure(.unknownSession, "Session ID unknown.", headers: headers) }
        return Self.failure(.badRequest, "Session \(sid) no longer polls: it uses a WebSocket now.", headers: headers)
    }

    /// The `OPTIONS` route (CORS preflight).
    public var optionsHandler: HTTPHandler {
        .synchronous { [self] request in
            guard var cors = corsHeaders(request) else {
                return Self.failure(.forbidden, "Origin not allowed (setting websocket.allowed-origins).")
            }
            cors.append(("Access-Control-Allow-Methods", "GET, POST, OPTIONS"))
            cors.append(("Access-Control-Allow-Headers", request.header("Access-Control-Request-Headers") ?? "content-type"))
            cors.append(("Access-Control-Max-Age", "86400"))
            return HTTPResponse(status: .noContent, headers: cors)
        }
    }

    private func openPollingSession(responder: HTTPResponder, cors: [(name: String, value: String)], loop: EventLoop) {
        if let refusal = refusalOfNewSession(headers: cors) { return responder.respond(refusal) }
        let sid = Self.makeID()
        let session = PollingSession(sid: sid, server: self, loop: loop)
        PollingTable.of(loop).sessions[sid] = session
        register(sid, Home(loopIndex: loop.handle.index, isPolling: true))
        session.start(loop: loop)
        let open = EngineIOPacket(.open, settings.handshake(sid: sid, upgrades: ["websocket"]))
        responder.respond(Self.text(open.encoded, headers: cors))
    }

    private func webSocket(_ request: HTTPRequest, sid: String?, cors: [(name: String, value: String)]) -> HTTPUpgrade {
        if let sid {
            guard let home = home(of: sid) else { return .reject(Self.failure(.unknownSession, "Session ID unknown.", headers: cors)) }
            guard home.isPolling else {
                return .reject(Self.failure(.badRequest, "Session \(sid) already uses a WebSocket.", headers: cors))
            }
        } else if let refusal = refusalOfNewSession(headers: cors) {
            return .reject(refusal)
        }
        var limits = WebSocketLimits.rooms
        limits.maxFrameBytes = settings.maxPayload
        limits.maxMessageBytes = settings.maxPayload
        limits.pingInterval = settings.pingInterval + settings.pingTimeout
        let application = WebSocketApplication { [self] connection, loop in
            EngineIOWebSocketHandler(server: self, connection: connection, upgrading: sid, loop: loop)
        }
        let endpoint = WebSocketEndpoint(kind: .application(application), limits: limits, outboundLimits: settings.outboundLimits)
        guard case .upgrade(let upgrade) = WebSocketRoute.handler(endpoint: endpoint, hub: hub, origins: settings.origins, deflate: nil) else {
            preconditionFailure("WebSocketRoute builds upgrade handlers only")
        }
        return upgrade(request)
    }
}
