import Configuration
import Glibc

/// One source of settings, read through swift-configuration.
struct ConfigurationLayer {
    /// The provider's values at load time.
    let snapshot: any ConfigSnapshot
    /// Components put before a key's own: `modeld` for the environment, so that
    /// `http.max-header-bytes` is looked up as `MODELD_HTTP_MAX_HEADER_BYTES`.
    let keyPrefix: [String]
    /// How an error names this layer for a given key.
    let source: @Sendable (ConfigurationKey) -> ConfigurationSource
    /// Scalar texts that mean "not set here", so the layer below shows through.
    var nullSpellings: Set<String> = []

    /// The layer for `MODELD_*` variables; other variables are never looked up.
    static func environment(_ variables: [String: String]) -> Self {
        Self(
            snapshot: EnvironmentVariablesProvider(environmentVariables: variables).snapshot(),
            keyPrefix: ["modeld"],
            source: { .environment(name: $0.environmentName) }
        )
    }

    /// The layer for a YAML file, or nil when the file holds only comments.
    static func yamlFile(at path: String) throws(ConfigurationError) -> Self? {
        let bytes = try readFile(at: path)
        let text = String(decoding: bytes, as: UTF8.self)
        if text.split(whereSeparator: \.isNewline).allSatisfy(isYAMLBlank) { return nil }
        do {
            let snapshot = try YAMLSnapshot(data: bytes.span.bytes, providerName: path, parsingOptions: .default)
            // YAML 1.2 core schema §10.3.2: `key:`, `key: ~` and `key: null` are null, which
            // here means "use the default", not the text "~".
            return Self(
                snapshot: snapshot, keyPrefix: [], source: { _ in .file(path: path) },
                nullSpellings: ["", "~", "null", "Null", "NULL"])
        } catch {
            throw .unreadableFile(path: path, reason: "not valid YAML: \(error)")
        }
    }

    /// The key's values in this layer, nil if absent; list text is split at commas.
    func values(for key: ConfigurationKey) throws(ConfigurationError) -> [String]? {
        let configKey = AbsoluteConfigKey(keyPrefix + key.components)
        do {
            guard case .string(let text)? = try snapshot.value(forKey: configKey, type: .string).value?.content
            else { return nil }
            if nullSpellings.contains(text) { return nil }
            return ConfigurationKey.splitList(text, isList: key.isList)
        } catch {
            // A YAML sequence (or a repeated flag) answers only as a string array.
            guard key.isList else {
                throw .invalidValue(key: key.name, source: source(key), problem: "expected a single value, not a list")
            }
        }
        do {
            guard case .stringArray(let items)? = try snapshot.value(forKey: configKey, type: .stringArray).value?.content
            else { return nil }
            return items.flatMap { ConfigurationKey.splitList($0, isList: true) }
        } catch {
            throw .invalidValue(key: key.name, source: source(key), problem: "expected a value or a list of values")
        }
    }

    private static func isYAMLBlank(_ line: Substring) -> Bool {
        let content = line.drop(while: \.isWhitespace)
        return content.isEmpty || content.hasPrefix("#") || content == "---" || content == "..."
    }

    private static func readFile(at path: String) throws(ConfigurationError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
            }
            bytes.append(contentsOf: chunk[..<count])
        }
    }
}
