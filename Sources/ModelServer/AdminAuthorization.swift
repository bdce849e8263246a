import HTTPServer
import Synchronization

/// The admin bearer token policy of DESIGN §1.5: mutating endpoints require
/// `Authorization: Bearer <token>` — `401` without one, `403` with a wrong one. With no token
/// configured they are off (safe by default, since the daemon listens on every interface):
/// `403` with code `admin_disabled` and a message saying how to turn them on. The comparison
/// takes the same time whatever the first differing byte, so the token cannot be guessed
/// byte by byte from response times.
///
/// One instance is shared by every route; `SIGHUP` swaps its token (`replaceToken`), so the
/// next request is checked against the new one, on open keep-alive connections too.
final class AdminAuthorization: Sendable {
    private let current: Mutex<[UInt8]?>

    /// The configured token, or nil when mutating endpoints are off.
    var token: [UInt8]? {
        current.withLock { $0 }
    }

    init(token: [UInt8]?) {
        current = Mutex(token)
    }

    /// Reads the token from `path` (a Kubernetes secret mount works): the first line,
    /// surrounding whitespace removed. Throws when the file cannot be read or is empty.
    static func load(fromFile path: String?) throws -> AdminAuthorization {
        AdminAuthorization(token: try readToken(fromFile: path))
    }

    /// The token in `path`, as `load(fromFile:)` reads it; nil when `path` is nil.
    static func readToken(fromFile path: String?) throws(TextFile.Error) -> [UInt8]? {
        guard let path else { return nil }
        let contents = try TextFile.read(path)
        let line = contents.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let token = line.trimmingASCIIWhitespace()
        guard !token.isEmpty else { throw TextFile.Error(path: path, reason: "the admin token file is empty") }
        return Array(token.utf8)
    }

    /// Checks every later request against `token` (nil turns the mutating endpoints off).
    func replaceToken(_ token: [UInt8]?) {
        current.withLock { $0 = token }
    }

    /// Why a request may not run a mutating endpoint: the status, the error code and a
    /// message, so each route can render it in its own error shape.
    struct Refusal: Sendable, Equatable {
        let status: HTTPStatus
        let code: String
        let message: String
        /// `WWW-Authenticate: Bearer` on a `401` (RFC 6750 §3).
        var headers: [(name: String, value: String)] {
            status == .unauthorized ? [("WWW-Authenticate", "Bearer")] : []
        }

        /// The `{"error":{"code","message"}}` response.
        var response: HTTPResponse {
            .error(status, code: code, message: message, headers: headers)
        }
    }

    /// What a client is told when no token is configured.
    static let disabledMessage = "Admin endpoints (load, unload, cancel, room publish) are off because no admin token "
        + "is configured. Start modeld with --admin-token-file FILE (or MODELD_ADMIN_TOKEN_FILE, or admin-token-file "
        + "in the configuration file; SIGHUP re-reads it), then send Authorization: Bearer <token>."

    /// nil when `request` may run a mutating endpoint; otherwise why not.
    func refusal(for request: HTTPRequest) -> Refusal? {
        guard let token = token else {
            return Refusal(status: .forbidden, code: "admin_disabled", message: Self.disabledMessage)
        }
        guard let header = request.header("Authorization") else {
            return Refusal(status: .unauthorized, code: "unauthorized", message: "This endpoint needs an admin bearer token.")
        }
        let prefix = "Bearer "
        guard header.count > prefix.count, ASCII.caseInsensitiveEquals(String(header.prefix(prefix.count)), prefix) else {
            return Refusal(status: .unauthorized, code: "unauthorized", message: "The Authorization header must be a bearer token.")
        }
        let presented = Array(header.dropFirst(prefix.count).utf8)
        guard Self.constantTimeEquals(presented, token) else {
            return Refusal(status: .forbidden, code: "forbidden", message: "The admin token is not valid.")
        }
        return nil
    }

    /// nil when `request` may proceed; otherwise the error response to send.
    func check(_ request: HTTPRequest) -> HTTPResponse? {
        refusal(for: request)?.response
    }

    /// An authorised command on one model (`{id}`), run off the loop: the handler checks
    /// the token on the loop (`denied` renders the refusal in the route's error shape),
    /// then awaits `body` in a task, the bridge to the loader actor, which answers.
    func command(denied: @escaping @Sendable (Refusal) -> HTTPResponse = { $0.response },
                 _ body: @escaping @Sendable (String) async -> HTTPResponse) -> HTTPHandler {
        let authorization = self
        return .asynchronous { request, responder in
            if let refusal = authorization.refusal(for: request) {
                responder.respond(denied(refusal))
                return
            }
            let id = request.pathParameters["id"] ?? ""
            Task { responder.respond(await body(id)) }
        }
    }

    /// Compares without an early exit on the first difference.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}

/// Small helpers for reading configuration-adjacent text files.
enum TextFile {
    struct Error: Swift.Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "\(path): \(reason)" }
    }

    static func read(_ path: String) throws(Error) -> String {
        guard let file = fopen(path, "r") else {
            throw Error(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces, tabs, CR and LF.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}

#if canImport(Glibc)
import Glibc
#endif
