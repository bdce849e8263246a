import Testing

@testable import ModelServer

struct ConfigurationKeyTests {
    @Test("flag and environment names follow from the dotted name")
    func namesAreMechanical() throws {
        let key = try #require(ConfigurationKey.named("http.max-header-bytes"))
        #expect(key.flag == "--http-max-header-bytes")
        #expect(key.environmentName == "MODELD_HTTP_MAX_HEADER_BYTES")
        #expect(try #require(ConfigurationKey.named("log.format")).flag == "--log-format")
    }

    @Test("swift-configuration finds every key under the environment name the table advertises")
    func environmentNamesMatchProviderEncoding() throws {
        for key in ConfigurationKey.all {
            let layer = ConfigurationLayer.environment([key.environmentName: "probe"])
            #expect(try layer.values(for: key) == ["probe"], "\(key.name)")
        }
    }

    @Test("names, flags and environment variables are unique")
    func namesAreUnique() {
        let all = ConfigurationKey.all
        #expect(Set(all.map(\.name)).count == all.count)
        #expect(Set(all.map(\.flag)).count == all.count)
        #expect(Set(all.map(\.environmentName)).count == all.count)
        #expect(!all.contains { $0.flag == ConfigurationFlags.configFlag })
    }

    @Test("every default in the table parses")
    func everyDefaultParses() throws {
        var configuration = Configuration.defaults
        for key in ConfigurationKey.all {
            #expect(throws: Never.self, "\(key.name)") { try key.assign(&configuration, key.defaultValues) }
        }
        #expect(configuration == Configuration.defaults)
    }

    @Test("help lists every flag, variable and default within 80 columns")
    func helpCoversEveryKey() {
        let help = ConfigurationKey.helpText
        for key in ConfigurationKey.all {
            #expect(help.contains("  \(key.flag) \(key.placeholder)"), "\(key.name)")
            #expect(help.contains(key.environmentName), "\(key.name)")
        }
        let words = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("Default 16384 bytes. Environment MODELD_HTTP_MAX_HEADER_BYTES."))
        #expect(help.contains("--config FILE"))
        #expect(help.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    @Test("defaults are summarised with their unit, and an empty default as none")
    func defaultSummaries() throws {
        #expect(try #require(ConfigurationKey.named("shutdown-timeout")).defaultSummary == "Default 10 seconds")
        #expect(try #require(ConfigurationKey.named("event-loops")).defaultSummary == "Default auto")
        #expect(try #require(ConfigurationKey.named("admin-token-file")).defaultSummary == "Default none")
    }
}
