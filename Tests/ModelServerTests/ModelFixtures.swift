import Foundation
import HTTPServer
import Logging
import ModelFormats
@testable import ModelServer
import ModelRuntime
import TestSupport
import WebSocket

/// A runtime double for server tests: it accepts any safetensors file, sums the weights in
/// step 7 (so the bytes are really read), and returns a model that reports its size. The
/// real loader steps (files, header, reading, digests) all run for real around it.
struct FixtureRuntime: ModelRuntimeFactory {
    let name = "fixture"
    func recognizes(directory: String) -> Bool { false }
    func makeSession(directory: String) throws(ModelRuntimeError) -> any ModelLoadSession { FixtureSession() }
}

final class FixtureSession: ModelLoadSession {
    var checksum: Float = 0
    var summary: [(key: String, value: String)] { [("fixture", "yes")] }
    var weightsFileName: String { "model.safetensors" }
    func validate(_ header: SafetensorsHeader) throws(ModelRuntimeError) {
        guard header.tensors.contains(where: { $0.name == "w" }) else {
            throw ModelRuntimeError(code: "missing_tensor", message: "Tensor 'w' is missing.")
        }
    }
    func materialize(weights: UnsafeRawBufferPointer, header: SafetensorsHeader, isCancelled: () -> Bool) throws(ModelRuntimeError) {
        for tensor in header.tensors { checksum += Float(weights[tensor.dataRange].reduce(0) { $0 &+ Int($1) }) }
    }
    func optimize(isCancelled: () -> Bool) throws(ModelRuntimeError) {}
    func warmUp() throws(ModelRuntimeError) -> any LoadedModel { FixtureModel(residentBytes: 1024) }
}

struct FixtureModel: LoadedModel {
    let runtimeName = "fixture"
    let residentBytes: Int
}

/// A temporary model repository with fixture models.
final class FixtureRepository {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "modeld-repo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Adds a model with one F32 tensor `w` of `weightBytes` bytes (a multiple of 4).
    func addModel(_ id: String, weightBytes: Int, required: Bool = true, load: String = "startup",
                  truncateBy: Int = 0) throws {
        let folder = root + "/" + id
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "runtime: fixture\nrequired: \(required)\nload: \(load)\n".write(toFile: folder + "/model.yaml", atomically: true, encoding: .utf8)
        var header = Array(#"{"w":{"dtype":"F32","shape":[\#(weightBytes / 4)],"data_offsets":[0,\#(weightBytes)]}}"#.utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var file = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header
        file += (0..<weightBytes).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        file.removeLast(truncateBy)
        try Data(file).write(to: URL(fileURLWithPath: folder + "/model.safetensors"))
    }
}

/// A running server with a model host over a fixture repository.
///
/// Unless `adjust` names an admin token file (or `adminToken` is false), the harness writes
/// one and sends its token with every `POST` that carries no `Authorization` of its own, so
/// tests of the commands need not repeat it (with no token, commands are off).
final class ModelServerHarness {
    let server: Server
    let host: ModelHost
    let port: UInt16
    let stateDir: String
    /// The token the harness made and sends, when it made one.
    let harnessToken: String?

    init(repository: FixtureRepository, adminToken: Bool = true, adjust: (inout Configuration) -> Void = { _ in }) async throws {
        stateDir = repository.root + "-state"
        var configuration = Configuration.defaults
        configuration.modelRepository = repository.root
        configuration.stateDir = stateDir
        configuration.eventLoops = 1
        adjust(&configuration)
        if adminToken && configuration.adminTokenFile == nil {
            let tokenFile = repository.root + "-harness-token"
            try "harness-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            configuration.adminTokenFile = tokenFile
            harnessToken = "harness-token"
        } else {
            harnessToken = nil
        }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        host = ModelHost(configuration: configuration, runtimes: [FixtureRuntime()], logger: logger)
        let authorization = try AdminAuthorization.load(fromFile: configuration.adminTokenFile)
        let rooms = LoadEventRooms(loader: host.loader, hub: RoomHub())
        rooms.start()
        let router = ModelServerApp.makeRouter(host: host, configuration: configuration, authorization: authorization,
                                               rooms: rooms)
        server = Server(router: router, limits: configuration.http, eventLoops: 1)
        port = try server.start(listen: [("127.0.0.1", 0)])[0].port
        rooms.hub.attach(loops: server.loopHandles)
        await host.start()
    }

    func stop() async {
        server.shutdown(gracePeriod: .seconds(1))
        await host.shutdown()
        try? FileManager.default.removeItem(atPath: stateDir)
    }

    /// Sends one request on a fresh connection and returns the response. The blocking
    /// socket work runs on a Dispatch thread, never on the cooperative pool, which the
    /// server's asynchronous handlers need in order to answer.
    func request(_ method: String, _ path: String, headers: [String] = [], body: String = "") async throws -> RawHTTPResponse {
        let port = port
        let needsToken = method == "POST" && !headers.contains(where: { $0.lowercased().hasPrefix("authorization:") })
        let headers = headers + (needsToken ? harnessToken.map { ["Authorization: Bearer \($0)"] } ?? [] : [])
        let result: Result<RawHTTPResponse, any Error> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result {
                    try Self.blockingRequest(port: port, method, path, headers: headers, body: body)
                })
            }
        }
        return try result.get()
    }

    private static func blockingRequest(port: UInt16, _ method: String, _ path: String, headers: [String],
                                        body: String) throws -> RawHTTPResponse {
        let client = try TCPClient(port: port, timeout: .seconds(20))
        var text = "\(method) \(path) HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n"
        for header in headers { text += header + "\r\n" }
        try client.send(text + "\r\n" + body)
        guard let response = client.readResponse(isHead: method == "HEAD") else { throw HarnessError.noResponse(path) }
        return response
    }

    enum HarnessError: Error { case noResponse(String), timedOut(String, last: String) }

    /// Polls `path` until `condition` holds (a bounded "eventually", DESIGN-allowed in
    /// loopback tests), returning every response seen.
    @discardableResult
    func poll(_ path: String, every interval: Duration = .milliseconds(20), within limit: Duration = .seconds(90),
              until condition: (RawHTTPResponse) -> Bool) async throws -> [RawHTTPResponse] {
        var seen: [RawHTTPResponse] = []
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let response = try await request("GET", path)
            seen.append(response)
            if condition(response) { return seen }
            try await Task.sleep(for: interval)
        }
        throw HarnessError.timedOut(path, last: seen.last.map { "\($0.status) \($0.text)" } ?? "none")
    }
}

/// Runs `body` against a harness and always stops it afterwards.
func withHarness(_ repository: FixtureRepository, adminToken: Bool = true, adjust: (inout Configuration) -> Void = { _ in },
                 _ body: (ModelServerHarness) async throws -> Void) async throws {
    let harness = try await ModelServerHarness(repository: repository, adminToken: adminToken, adjust: adjust)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}

/// Decodes a JSON body.
func json(_ response: RawHTTPResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
}
