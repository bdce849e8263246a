import Foundation
import Glibc
import Logging
import ModelLoading
@testable import ModelServer
import Testing
import TestSupport

/// `SIGHUP` reloads (`ConfigurationReloader`) against a real server: new settings reach the
/// next requests on connections that stay open, a broken input changes nothing, and the
/// repository's difference is applied.
@Suite(.serialized)
struct ConfigurationReloaderTests {
    /// A required model that stays loading for about a minute, so `/readyz` shows the
    /// not-ready status.
    private static let slowLoad = "max-read-bytes-per-second: 65536\n"

    @Test("a reload puts the new admin token, not-ready status and log level in force on an open connection")
    func liveSettingsReachTheNextRequests() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("slow", weightBytes: 4 << 20)
        try await withReloadHarness(repository, extraYAML: Self.slowLoad) { harness in
            let connection = try harness.connect()
            #expect(try connection.request("GET", "/readyz")?.status == 425)
            #expect(try connection.request("POST", "/v1/rooms/ops/messages", token: "first-token", body: "{}")?.status == 200)
            #expect(try connection.request("POST", "/v1/rooms/ops/messages", token: "second-token", body: "{}")?.status == 403)
            harness.logger.debug("before the reload")

            try harness.writeToken("second-token")
            try harness.writeConfiguration(Self.slowLoad + "not-ready-status: 503\nlog:\n  level: debug\n")
            let outcome = await harness.reloader.reload()

            guard case .applied(let summary) = outcome else {
                Issue.record("reload was rejected: \(outcome)")
                return
            }
            #expect(summary.appliedKeys == ["not-ready-status", "log.level", "admin-token-file"])
            #expect(summary.needsRestart.isEmpty)
            let readiness = try #require(try connection.request("GET", "/readyz"))
            #expect(readiness.status == 503)
            #expect(readiness.header("Retry-After") != nil)
            #expect(try connection.request("POST", "/v1/rooms/ops/messages", token: "first-token", body: "{}")?.status == 403)
            #expect(try connection.request("POST", "/v1/rooms/ops/messages", token: "second-token", body: "{}")?.status == 200)
            harness.logger.debug("after the reload")
            #expect(harness.lines.matching("before the reload").isEmpty)
            #expect(harness.lines.matching("level=debug", "after the reload").count == 1)
            #expect(harness.lines.matching("level=info", "msg=reloaded", "changes=not-ready-status,log.level,admin-token-file",
                                           "models_added=0", "models_removed=0").count == 1)
            #expect(harness.reloader.configuration.notReadyStatus == 503)
        }
    }

    @Test("a configuration file that does not parse is rejected, logged, and the old settings stay")
    func brokenFileIsRejected() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("slow", weightBytes: 4 << 20)
        try await withReloadHarness(repository, extraYAML: Self.slowLoad) { harness in
            let before = harness.reloader.configuration
            try "not-ready-status: [503\nlog: {level: debug".write(toFile: harness.configPath, atomically: true, encoding: .utf8)
            try harness.writeToken("second-token")

            let outcome = await harness.reloader.reload()

            guard case .rejected(.configuration(.unreadableFile(let path, _))) = outcome else {
                Issue.record("expected a rejected file, got \(outcome)")
                return
            }
            #expect(path == harness.configPath)
            #expect(harness.lines.matching("level=error", "msg=\"reload rejected\"", "error=").count == 1)
            #expect(harness.reloader.configuration == before)
            let connection = try harness.connect()
            #expect(try connection.request("GET", "/readyz")?.status == 425)
            // The token file is only read once the configuration is accepted.
            #expect(try connection.request("POST", "/v1/rooms/ops/messages", token: "first-token", body: "{}")?.status == 200)
            #expect(harness.logLevel.level == .info)
        }
    }

    @Test("a value out of range is rejected with its key and source")
    func invalidValueIsRejected() async throws {
        let repository = try FixtureRepository()
        try await withReloadHarness(repository) { harness in
            try harness.writeConfiguration("not-ready-status: 404\n")
            let outcome = await harness.reloader.reload()
            guard case .rejected(.configuration(.invalidValue(let key, _, _))) = outcome else {
                Issue.record("expected an invalid value, got \(outcome)")
                return
            }
            #expect(key == "not-ready-status")
            #expect(harness.reloader.configuration.notReadyStatus == 425)
        }
    }

    @Test("a missing admin token file rejects the reload instead of opening the admin endpoints")
    func missingTokenFileIsRejected() async throws {
        let repository = try FixtureRepository()
        try await withReloadHarness(repository) { harness in
            try FileManager.default.removeItem(atPath: harness.tokenPath)
            try harness.writeConfiguration("not-ready-status: 503\n")

            let outcome = await harness.reloader.reload()

            guard case .rejected(.adminTokenFile(let path, _)) = outcome else {
                Issue.record("expected a rejected token file, got \(outcome)")
                return
            }
            #expect(path == harness.tokenPath)
            #expect(harness.reloader.configuration.notReadyStatus == 425)
            let connection = try harness.connect()
            #expect(try connection.request("POST", "/v1/rooms/ops/messages", body: "{}")?.status == 401)
            #expect(try connection.request("POST", "/v1/rooms/ops/messages", token: "first-token", body: "{}")?.status == 200)
        }
    }

    @Test("keys that need a restart keep their running value and are logged as such")
    func restartKeysKeepTheirValue() async throws {
        let repository = try FixtureRepository()
        try await withReloadHarness(repository) { harness in
            let before = harness.reloader.configuration
            try harness.writeConfiguration("http:\n  max-body-bytes: 2048\nload-retries: 2\n")
            let yaml = try String(contentsOfFile: harness.configPath, encoding: .utf8)
            try yaml.replacingOccurrences(of: "event-loops: 1", with: "event-loops: 3")
                .write(toFile: harness.configPath, atomically: true, encoding: .utf8)

            let outcome = await harness.reloader.reload()

            #expect(outcome == .applied(ReloadSummary(appliedKeys: ["load-retries"],
                                                      needsRestart: ["event-loops", "http.max-body-bytes"])))
            let after = harness.reloader.configuration
            #expect(after.eventLoops == before.eventLoops)
            #expect(after.http == before.http)
            #expect(after.loadRetries == 2)
            #expect(harness.host.loader.settings.loadRetries == 2)
            #expect(harness.lines.matching("level=warning", "msg=\"reload needs restart\"", "key=event-loops").count == 1)
            #expect(harness.lines.matching("level=warning", "key=http.max-body-bytes").count == 1)
        }
    }

    @Test("a re-scan registers and loads a new model folder and removes a deleted one")
    func repositoryChangesAreApplied() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("alpha", weightBytes: 4096)
        try await withReloadHarness(repository) { harness in
            let loader = harness.host.loader
            #expect(await loader.waitForOutcome("alpha")?.state == .ready)

            try repository.addModel("beta", weightBytes: 4096)
            try repository.addModel("gamma", weightBytes: 4096, load: "on_demand")
            #expect(await harness.reloader.reload() == .applied(ReloadSummary(modelsAdded: ["beta", "gamma"])))
            #expect(await loader.waitForOutcome("beta")?.state == .ready)
            #expect(loader.snapshot.status(of: "gamma")?.state == .unloaded)
            #expect(loader.snapshot.status(of: "alpha")?.state == .ready)

            try FileManager.default.removeItem(atPath: repository.root + "/alpha")
            #expect(await harness.reloader.reload() == .applied(ReloadSummary(modelsRemoved: ["alpha"])))
            #expect(loader.snapshot.status(of: "alpha") == nil)
            #expect(loader.loadedModel("alpha") == nil)
            #expect(harness.lines.matching("msg=reloaded", "models_added=0", "models_removed=1").count == 1)
            #expect(harness.lines.matching("event=model_unloaded", "model=alpha").count == 1)
        }
    }

    @Test("a ready model whose files changed keeps serving the version it loaded")
    func changedReadyModelKeepsServing() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("alpha", weightBytes: 4096)
        try await withReloadHarness(repository) { harness in
            let loader = harness.host.loader
            #expect(await loader.waitForOutcome("alpha")?.state == .ready)
            let readySince = try #require(loader.snapshot.status(of: "alpha")?.readySince)

            try repository.addModel("alpha", weightBytes: 8192, required: false)
            #expect(await harness.reloader.reload() == .applied(ReloadSummary(modelsChanged: ["alpha"])))

            #expect(loader.snapshot.status(of: "alpha")?.state == .ready)
            #expect(loader.snapshot.status(of: "alpha")?.required == false)
            #expect(loader.snapshot.status(of: "alpha")?.readySince == readySince)
            #expect(loader.loadedModel("alpha") != nil)
            #expect(harness.lines.matching("msg=\"model changed on disk\"", "model=alpha", "action=kept_loaded").count == 1)
        }
    }

    @Test("a failed model fixed on disk loads again on reload when load-at-startup covers it")
    func fixedFailedModelLoadsAgain() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("alpha", weightBytes: 4096, truncateBy: 100)
        try await withReloadHarness(repository) { harness in
            let loader = harness.host.loader
            #expect(await loader.waitForOutcome("alpha")?.state == .failed)

            try repository.addModel("alpha", weightBytes: 4096)
            #expect(await harness.reloader.reload() == .applied(ReloadSummary(modelsChanged: ["alpha"])))

            #expect(await loader.waitForOutcome("alpha")?.state == .ready)
            #expect(harness.lines.matching("msg=\"model changed on disk\"", "action=reloading").count == 1)
        }
    }

    @Test("new WebSocket connections get the reloaded allowed origins; the room socket opened before stays open")
    func webSocketSettingsApplyToNewConnections() async throws {
        let repository = try FixtureRepository()
        try await withReloadHarness(repository) { harness in
            // A short read timeout: `isClosedByPeer` reads until EOF or the timeout.
            let before = try TCPClient(port: harness.port, timeout: .seconds(1))
            try before.send(Self.upgrade(origin: "http://t"))  // same-origin: `Host: t`
            #expect(before.readResponse()?.status == 101)
            let otherBefore = try TCPClient(port: harness.port, timeout: .seconds(20))
            try otherBefore.send(Self.upgrade(origin: "https://other.example"))
            #expect(otherBefore.readResponse()?.status == 403)

            try harness.writeConfiguration("websocket:\n  allowed-origins: https://good.example\n  ping-interval: 5\n")
            #expect(await harness.reloader.reload() == .applied(ReloadSummary(
                appliedKeys: ["websocket.ping-interval", "websocket.allowed-origins"])))

            let refused = try TCPClient(port: harness.port, timeout: .seconds(20))
            try refused.send(Self.upgrade(origin: "https://other.example"))
            #expect(refused.readResponse()?.status == 403)
            let accepted = try TCPClient(port: harness.port, timeout: .seconds(20))
            try accepted.send(Self.upgrade(origin: "https://good.example"))
            #expect(accepted.readResponse()?.status == 101)
            #expect(!before.isClosedByPeer())
        }
    }

    private static func upgrade(origin: String) -> String {
        "GET /ws?room=models HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: \(origin)\r\n\r\n"
    }

    @Test("a hook that throws rejects the reload before anything is applied")
    func failingHookRejects() async throws {
        let repository = try FixtureRepository()
        try await withReloadHarness(repository) { harness in
            harness.reloader.onAccepted("tls") { _, new in
                if new.notReadyStatus == 503 { throw HookRefusal() }
            }
            try harness.writeConfiguration("not-ready-status: 503\n")
            #expect(await harness.reloader.reload() == .rejected(.hookFailed(hook: "tls", reason: "refused")))
            #expect(harness.reloader.configuration.notReadyStatus == 425)
        }
    }

    private struct HookRefusal: Error, CustomStringConvertible {
        var description: String { "refused" }
    }

    @Test("every configuration key is classified as live or needing a restart, never both")
    func everyKeyIsClassified() {
        let names = Set(ConfigurationKey.all.map(\.name))
        #expect(ConfigurationKey.liveKeyNames.isDisjoint(with: ConfigurationKey.restartKeyNames))
        #expect(ConfigurationKey.liveKeyNames.union(ConfigurationKey.restartKeyNames) == names)
    }
}

/// The signal loop of `ModelServerApp`: `SIGHUP` reloads, `SIGTERM`/`SIGINT` end it.
struct ServeSignalsTests {
    @Test("SIGHUP runs a reload and the loop keeps going; SIGINT ends it and is returned")
    func sighupReloadsAndSigintStops() async throws {
        let repository = try FixtureRepository()
        try await withReloadHarness(repository) { harness in
            let (signals, sender) = AsyncStream.makeStream(of: Int32.self)
            let (reloader, logger) = (harness.reloader, harness.logger)
            let loop = Task { await ModelServerApp.serveSignals(signals, reloader: reloader, logger: logger) }
            try harness.writeConfiguration("not-ready-status: 503\n")
            sender.yield(SIGHUP)
            let deadline = ContinuousClock.now + .seconds(20)
            while harness.lines.matching("msg=reloaded").isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))  // bounded wait for the reload task's log line
            }
            #expect(harness.lines.matching("msg=reloading", "signal=SIGHUP").count == 1)
            #expect(harness.reloader.configuration.notReadyStatus == 503)
            sender.yield(SIGINT)
            #expect(await loop.value == SIGINT)
            #expect(harness.lines.matching("msg=reloaded").count == 1)
        }
    }
}
