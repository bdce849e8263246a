import Foundation
import HTTPServer
import Logging
@testable import ModelServer
import Synchronization
import TestSupport
import WebSocket

/// Collects the lines a `KeyValueLogHandler` writes, in order.
final class LogLines: Sendable {
    private let storage = Mutex<[String]>([])

    var all: [String] { storage.withLock { $0 } }

    var output: KeyValueLogHandler.Output { .init { line in self.storage.withLock { $0.append(line) } } }

    /// Lines containing every one of `fragments`.
    func matching(_ fragments: String...) -> [String] {
        all.filter { line in fragments.allSatisfy { line.contains($0) } }
    }
}

/// A running server built the way `ModelServerApp.run` builds it, over a fixture
/// repository and a YAML file in a temporary folder, with its `ConfigurationReloader`.
/// Tests rewrite the file (or the token file, or the repository) and call `reload()`.
final class ReloadHarness {
    let repository: FixtureRepository
    let folder: String
    let server: Server
    let host: ModelHost
    let reloader: ConfigurationReloader
    let logLevel: LogLevelSwitch
    let lines = LogLines()
    let logger: Logger
    let port: UInt16

    var configPath: String { folder + "/modeld.yaml" }
    var tokenPath: String { folder + "/admin-token" }

    /// Starts a server whose file holds `baseYAML` plus `extraYAML` (top-level keys).
    init(repository: FixtureRepository, extraYAML: String = "", token: String? = "first-token") async throws {
        self.repository = repository
        folder = repository.root + "-config"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/modeld.yaml"
        if let token { try Self.writeToken(token, to: folder + "/admin-token") }
        try Self.writeConfiguration(extraYAML, repository: repository, folder: folder)
        let load: ConfigurationReloader.Load = { () throws(ConfigurationError) in
            try Configuration.load(arguments: ["--config", path], environment: [:])
        }
        let configuration = try load()
        logLevel = LogLevelSwitch(configuration.logLevel)
        let handler = KeyValueLogHandler(levelSwitch: logLevel, output: lines.output)
        logger = Logger(label: "test") { _ in handler }
        host = ModelHost(configuration: configuration, runtimes: [FixtureRuntime()], logger: logger)
        let authorization = try AdminAuthorization.load(fromFile: configuration.adminTokenFile)
        let rooms = LoadEventRooms(loader: host.loader, hub: RoomHub())
        rooms.start()
        let (router, live) = ModelServerApp.makeRoutes(host: host, configuration: configuration,
                                                       authorization: authorization, rooms: rooms)
        reloader = ConfigurationReloader(configuration: configuration, load: load, host: host, live: live,
                                         logLevel: logLevel, logger: logger)
        server = Server(router: router, limits: configuration.http, eventLoops: 1)
        port = try server.start(listen: [("127.0.0.1", 0)])[0].port
        rooms.hub.attach(loops: server.loopHandles)
        await host.start()
    }

    /// The file: listen, one loop, the fixture repository, the token file, then `extraYAML`.
    func writeConfiguration(_ extraYAML: String) throws {
        try Self.writeConfiguration(extraYAML, repository: repository, folder: folder)
    }

    func writeToken(_ token: String) throws {
        try Self.writeToken(token, to: tokenPath)
    }

    private static func writeConfiguration(_ extraYAML: String, repository: FixtureRepository, folder: String) throws {
        let yaml = """
            listen: 127.0.0.1:0
            event-loops: 1
            model-repository: \(repository.root)
            state-dir: \(repository.root)-state
            admin-token-file: \(folder)/admin-token
            \(extraYAML)
            """
        try yaml.write(toFile: folder + "/modeld.yaml", atomically: true, encoding: .utf8)
    }

    private static func writeToken(_ token: String, to path: String) throws {
        try (token + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    func stop() async {
        server.shutdown(gracePeriod: .seconds(1))
        await host.shutdown()
        try? FileManager.default.removeItem(atPath: folder)
        try? FileManager.default.removeItem(atPath: repository.root + "-state")
    }

    /// A keep-alive connection to the server. Its requests must be ones the server answers
    /// on its loop (probes, status, refusals, room messages), since the calls block.
    func connect() throws -> KeepAliveConnection {
        KeepAliveConnection(client: try TCPClient(port: port, timeout: .seconds(20)))
    }
}

/// One client connection reused for several requests, to show a reload leaves it open.
final class KeepAliveConnection {
    let client: TCPClient

    init(client: TCPClient) {
        self.client = client
    }

    func request(_ method: String, _ path: String, token: String? = nil, body: String = "") throws -> RawHTTPResponse? {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n"
        if let token { text += "Authorization: Bearer \(token)\r\n" }
        try client.send(text + "\r\n" + body)
        return client.readResponse()
    }
}

/// Runs `body` against a reload harness and always stops it afterwards.
func withReloadHarness(_ repository: FixtureRepository, extraYAML: String = "", token: String? = "first-token",
                       _ body: (ReloadHarness) async throws -> Void) async throws {
    let harness = try await ReloadHarness(repository: repository, extraYAML: extraYAML, token: token)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}
