import Foundation
import HTTPServer
import Logging
import Testing

@testable import ModelServer

struct ConfigurationTests {
    /// A YAML file in a fresh temporary location, removed when the test ends.
    private final class TemporaryYAML {
        let path: String

        init(_ text: String) throws {
            path = FileManager.default.temporaryDirectory
                .appendingPathComponent("modeld-\(UUID().uuidString).yaml").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The repository's shipped configuration file.
    private static let shippedYAMLPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Config/modeld.yaml").path

    private func load(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> Configuration {
        try Configuration.load(arguments: arguments, environment: environment)
    }

    @Test("with no file, environment or flags the result is the defaults")
    func emptyInputsGiveDefaults() throws {
        #expect(try load() == Configuration.defaults)
    }

    @Test("the defaults are the documented values and HTTPLimits' own")
    func defaultsAreDocumented() {
        let defaults = Configuration.defaults
        #expect(defaults.listen == [ListenAddress(host: "0.0.0.0", port: 8080)])
        #expect(defaults.eventLoops == sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #expect(defaults.shutdownTimeout == .seconds(10))
        #expect(defaults.notReadyStatus == 425)
        #expect(defaults.http == HTTPLimits())
        #expect(defaults.logLevel == .info)
        #expect(defaults.logFormat == .keyValue)
        #expect(defaults.modelRepository == "models")
        #expect(defaults.stateDir == "state")
        #expect(defaults.loadAtStartup == .all)
        #expect(defaults.maxConcurrentLoads == 1)
        #expect(defaults.maxReadBytesPerSecond == 0)
        #expect(defaults.memoryBudgetBytes == 0)
        #expect(defaults.loadStallTimeout == .seconds(60))
        #expect(defaults.loadRetries == 0)
        #expect(defaults.adminTokenFile == nil)
    }

    @Test("Config/modeld.yaml parses to exactly the defaults")
    func shippedFileEqualsDefaults() throws {
        #expect(try load(["--config", Self.shippedYAMLPath]) == Configuration.defaults)
    }

    @Test("Config/modeld.yaml sets every key that has a default value")
    func shippedFileMentionsEveryKey() throws {
        let file = try #require(try ConfigurationLayer.yamlFile(at: Self.shippedYAMLPath))
        for key in ConfigurationKey.all where !key.defaultValue.isEmpty {
            #expect(try file.values(for: key) == key.defaultValues, "\(key.name)")
        }
    }

    @Test("a flag overrides the environment, which overrides the file, which overrides the default")
    func layersOverrideInOrder() throws {
        let file = try TemporaryYAML(
            """
            model-repository: from-file
            state-dir: from-file
            log:
              level: debug
            http:
              max-header-bytes: 1000
            """)
        let configuration = try load(
            ["--config", file.path, "--model-repository", "from-flag"],
            environment: ["MODELD_MODEL_REPOSITORY": "from-env", "MODELD_STATE_DIR": "from-env",
                          "MODELD_HTTP_MAX_HEADER_BYTES": "2000"])
        #expect(configuration.modelRepository == "from-flag")
        #expect(configuration.stateDir == "from-env")
        #expect(configuration.http.maxHeaderBytes == 2000)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.http.maxHeaderCount == 100)
    }

    @Test("MODELD_CONFIG names the file when --config is absent, and --config wins over it")
    func configFileFromEnvironmentOrFlag() throws {
        let fromEnvironment = try TemporaryYAML("load-retries: 2\n")
        let fromFlag = try TemporaryYAML("load-retries: 3\n")
        #expect(try load(environment: ["MODELD_CONFIG": fromEnvironment.path]).loadRetries == 2)
        #expect(try load(["--config=\(fromFlag.path)"], environment: ["MODELD_CONFIG": fromEnvironment.path]).loadRetries == 3)
    }

    @Test("an invalid environment value names the key, the variable and the problem")
    func environmentErrorNamesKeyAndSource() {
        #expect(throws: ConfigurationError.invalidValue(
            key: "http.max-header-bytes",
            source: .environment(name: "MODELD_HTTP_MAX_HEADER_BYTES"),
            problem: "expected a positive number of bytes such as 16384 or 16KiB, got \"abc\"")
        ) {
            try load(environment: ["MODELD_HTTP_MAX_HEADER_BYTES": "abc"])
        }
        let error = ConfigurationError.invalidValue(
            key: "event-loops", source: .environment(name: "MODELD_EVENT_LOOPS"),
            problem: "expected a positive integer, got \"abc\"")
        #expect(error.description
            == "event-loops (environment MODELD_EVENT_LOOPS): expected a positive integer, got \"abc\"")
    }

    @Test("an invalid file value names the key and the file")
    func fileErrorNamesKeyAndFile() throws {
        let file = try TemporaryYAML("not-ready-status: 404\n")
        #expect(throws: ConfigurationError.invalidValue(
            key: "not-ready-status", source: .file(path: file.path), problem: "expected one of 425, 503, got \"404\"")
        ) {
            try load(["--config", file.path])
        }
    }

    @Test("--flag=VALUE splits at the first \"=\" even when a combining mark follows it (found by scripts/fuzz config)")
    func flagValueStartingWithCombiningMark() throws {
        #expect(throws: ConfigurationError.invalidValue(
            key: "websocket.outbound-soft-bytes", source: .flag("--websocket-outbound-soft-bytes"),
            problem: "expected a positive number of bytes such as 16384 or 16KiB, got \"\\u{0320}\u{FFFD}\"")
        ) {
            try load(["--websocket-outbound-soft-bytes=\u{0320}\u{FFFD}"])
        }
        #expect(ConfigurationKey.splitList("127.0.0.1:0,\u{0301}x", isList: true) == ["127.0.0.1:0", "\u{0301}x"])
        // --model ID=hf://...: the "=" inside the value is found the same way.
        let hub = try load(["--model=minilm=hf://sentence-transformers/all-MiniLM-L6-v2@main"])
        #expect(hub.hubModels.map(\.id) == ["minilm"])
        #expect(HubModelFlag(parsing: "minilm=\u{0301}hf://org/name") == nil)
        #expect(HubModelFlag(parsing: "minilm=hf://org/name")?.id == "minilm")
    }

    @Test("an invalid flag value names the key and the flag")
    func flagErrorNamesKeyAndFlag() {
        let expected = ConfigurationError.invalidValue(
            key: "log.level", source: .flag("--log-level"),
            problem: "expected one of trace, debug, info, notice, warning, error, critical, got \"loud\"")
        #expect(throws: expected) { try load(["--log-level", "loud"]) }
        #expect(expected.description.hasPrefix("log.level (flag --log-level): expected one of trace"))
    }

    @Test("a bad value in the file is reported even when a flag overrides it")
    func overriddenBadValueIsStillReported() throws {
        let file = try TemporaryYAML("max-concurrent-loads: zero\n")
        #expect(throws: ConfigurationError.self) { try load(["--config", file.path, "--max-concurrent-loads", "2"]) }
    }

    @Test("listen takes a YAML list, a comma-separated variable, or repeated flags")
    func listenAcceptsSeveralAddresses() throws {
        let file = try TemporaryYAML("listen:\n  - 127.0.0.1:1\n  - '[::1]:2'\n")
        let expected = [ListenAddress(host: "127.0.0.1", port: 1), ListenAddress(host: "::1", port: 2)]
        #expect(try load(["--config", file.path]).listen == expected)
        #expect(try load(environment: ["MODELD_LISTEN": "127.0.0.1:1, [::1]:2"]).listen == expected)
        #expect(try load(["--listen", "127.0.0.1:1", "--listen=[::1]:2"]).listen == expected)
    }

    @Test("a bad listen address reports the address's own problem")
    func listenErrorIsSpecific() {
        #expect(throws: ConfigurationError.invalidValue(
            key: "listen", source: .flag("--listen"), problem: "expected a port from 0 to 65535, got \"99999\"")
        ) {
            try load(["--listen", "127.0.0.1:99999"])
        }
    }

    @Test("load-at-startup accepts all, none, or a list of model IDs")
    func loadAtStartupForms() throws {
        #expect(try load(["--load-at-startup", "none"]).loadAtStartup == .none)
        #expect(try load(["--load-at-startup", "all"]).loadAtStartup == .all)
        #expect(try load(environment: ["MODELD_LOAD_AT_STARTUP": "bert,gte"]).loadAtStartup == .only(["bert", "gte"]))
        let file = try TemporaryYAML("load-at-startup: [bert, gte]\n")
        #expect(try load(["--config", file.path]).loadAtStartup == .only(["bert", "gte"]))
        #expect(throws: ConfigurationError.self) { try load(["--load-at-startup", "bert,,gte"]) }
    }

    @Test("durations take fractional seconds and sizes take binary suffixes")
    func durationsAndSizes() throws {
        let configuration = try load([
            "--shutdown-timeout", "2.5", "--http-max-body-bytes", "16KiB", "--memory-budget", "8GiB",
            "--admin-token-file", "/run/secrets/token", "--log-format", "json", "--event-loops", "3",
        ])
        #expect(configuration.shutdownTimeout == .milliseconds(2500))
        #expect(configuration.http.maxBodyBytes == 16 * 1024)
        #expect(configuration.memoryBudgetBytes == 8 << 30)
        #expect(configuration.adminTokenFile == "/run/secrets/token")
        #expect(configuration.logFormat == .json)
        #expect(configuration.eventLoops == 3)
        #expect(throws: ConfigurationError.self) { try load(["--http-idle-timeout", "0"]) }
        #expect(throws: ConfigurationError.self) { try load(["--memory-budget", "9999999999TiB"]) }
    }

    @Test("a positive duration too small to be a nanosecond is rejected, not made zero (found by scripts/fuzz config)",
          arguments: ["1e-300", "0.0000000001", "4e-10"])
    func subNanosecondDurationRejected(text: String) throws {
        let expected = ConfigurationError.invalidValue(
            key: "http.idle-timeout", source: .flag("--http-idle-timeout"),
            problem: "expected a number of seconds of at least 1e-9, got \(String(reflecting: text))")
        #expect(throws: expected) { try load(["--http-idle-timeout", text]) }
        #expect(try load(["--http-idle-timeout", "1e-9"]).http.idleTimeout == .nanoseconds(1))
        #expect(try load(["--shutdown-timeout", text]).shutdownTimeout == .zero)
    }

    @Test("a YAML list for a single-valued key is rejected")
    func listForScalarKeyIsRejected() throws {
        let file = try TemporaryYAML("event-loops: [1, 2]\n")
        #expect(throws: ConfigurationError.invalidValue(
            key: "event-loops", source: .file(path: file.path), problem: "expected a single value, not a list")
        ) {
            try load(["--config", file.path])
        }
    }

    @Test("malformed command lines are usage errors")
    func commandLineMistakes() {
        #expect(throws: ConfigurationError.unknownFlag("--bogus")) { try load(["--bogus", "1"]) }
        #expect(throws: ConfigurationError.missingFlagValue("--listen")) { try load(["--listen"]) }
        #expect(throws: ConfigurationError.missingFlagValue("--listen")) { try load(["--listen", "--event-loops", "2"]) }
        #expect(throws: ConfigurationError.unexpectedArgument("stray")) { try load(["stray"]) }
        #expect(ConfigurationError.unknownFlag("--bogus").isUsageError)
        #expect(!ConfigurationError.unreadableFile(path: "x", reason: "y").isUsageError)
    }

    @Test("a missing or malformed file is reported with its path")
    func unreadableFiles() throws {
        #expect(throws: ConfigurationError.unreadableFile(path: "/nonexistent/modeld.yaml", reason: "No such file or directory")) {
            try load(["--config", "/nonexistent/modeld.yaml"])
        }
        let broken = try TemporaryYAML("listen: [unclosed\n")
        #expect {
            try load(["--config", broken.path])
        } throws: { error in
            guard case .unreadableFile(let path, let reason) = error as? ConfigurationError else { return false }
            return path == broken.path && reason.hasPrefix("not valid YAML")
        }
    }

    @Test("a file holding only comments changes nothing")
    func commentOnlyFile() throws {
        let file = try TemporaryYAML("# nothing yet\n\n---\n")
        #expect(try load(["--config", file.path]) == Configuration.defaults)
    }

    @Test("a null in the file leaves the default in place")
    func yamlNullMeansUnset() throws {
        let file = try TemporaryYAML("listen: ~\nadmin-token-file:\nmodel-repository: null\n")
        #expect(try load(["--config", file.path]) == Configuration.defaults)
    }

    @Test("unknown MODELD_ variables are ignored, as Kubernetes injects some")
    func unknownEnvironmentIgnored() throws {
        #expect(try load(environment: ["MODELD_PORT": "tcp://10.0.0.1:8080", "MODELD_SERVICE_HOST": "x"])
            == Configuration.defaults)
    }
}
