extension Configuration {
    /// The environment variable naming the YAML file when `--config` is not given.
    public static let configFileEnvironmentName = "MODELD_CONFIG"

    /// Builds a configuration from layers, each overriding the one before:
    /// defaults < YAML file < `MODELD_*` environment < flags (STYLE §8).
    ///
    /// The file is `--config FILE` if given, else `$MODELD_CONFIG`, else none. Every value
    /// present in any layer is validated, even one a later layer overrides, so a broken file
    /// is reported rather than hidden. Unknown `MODELD_*` variables are ignored: Kubernetes
    /// injects `<SERVICE>_PORT`-style variables that may share the prefix. `SIGHUP` calls this
    /// again with the same inputs to pick up a changed file.
    /// - Parameters:
    ///   - arguments: the `serve` command's arguments, such as `["--listen", ":8080"]`;
    ///     `--flag VALUE` and `--flag=VALUE` are both accepted.
    ///   - environment: the process environment (injected so tests need not touch the real one).
    public static func load(
        arguments: [String],
        environment: [String: String]
    ) throws(ConfigurationError) -> Configuration {
        let flags = try ConfigurationFlags(parsing: arguments)
        var layers: [ConfigurationLayer] = []
        if let path = flags.configFile ?? environment[configFileEnvironmentName], !path.isEmpty {
            if let file = try ConfigurationLayer.yamlFile(at: path) { layers.append(file) }
        }
        layers.append(.environment(environment))
        layers.append(flags.layer)

        var configuration = Configuration.defaults
        var origins = SettingOrigins()
        for key in ConfigurationKey.all {
            for (rank, layer) in layers.enumerated() {
                guard let values = try layer.values(for: key) else { continue }
                do throws(ConfigurationValueProblem) {
                    try key.assign(&configuration, values)
                } catch {
                    throw .invalidValue(key: key.name, source: layer.source(key), problem: error.message)
                }
                origins.record(key.name, source: layer.source(key), rank: rank + 1)
            }
        }
        try configuration.checkTLSFilesPaired()
        try configuration.checkOutboundLimitsOrdered(origins)
        return configuration
    }
}
