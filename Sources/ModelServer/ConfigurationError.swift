/// Why a configuration could not be built. The daemon prints the description and exits 78
/// (`EX_CONFIG`); usage mistakes (`unknownFlag`, `missingFlagValue`, `unexpectedArgument`)
/// are the ones `isUsageError` marks, for which it exits 64 (`EX_USAGE`).
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// A value that does not parse or is out of range; `problem` completes the sentence
    /// "`key` (`source`): `problem`".
    case invalidValue(key: String, source: ConfigurationSource, problem: String)
    /// The configuration file could not be read or is not valid YAML.
    case unreadableFile(path: String, reason: String)
    /// A command-line flag that names no setting.
    case unknownFlag(String)
    /// A command-line flag given without its value.
    case missingFlagValue(String)
    /// A command-line word that is not a flag.
    case unexpectedArgument(String)

    /// Whether the command line itself is malformed, as opposed to a value in it.
    public var isUsageError: Bool {
        switch self {
        case .unknownFlag, .missingFlagValue, .unexpectedArgument: true
        case .invalidValue, .unreadableFile: false
        }
    }

    /// `http.max-header-bytes (environment MODELD_HTTP_MAX_HEADER_BYTES): expected a positive
    /// integer, got "abc"`.
    public var description: String {
        switch self {
        case .invalidValue(let key, let source, let problem):
            "\(key) (\(source)): \(problem)"
        case .unreadableFile(let path, let reason):
            "configuration file \(path): \(reason)"
        case .unknownFlag(let flag):
            "unknown flag \(flag) (see modeld serve --help)"
        case .missingFlagValue(let flag):
            "flag \(flag) needs a value"
        case .unexpectedArgument(let argument):
            "unexpected argument \(String(reflecting: argument)); settings are given as --flag VALUE"
        }
    }
}

/// Where a setting's value came from, named the way an operator would look for it.
public enum ConfigurationSource: Sendable, Equatable, CustomStringConvertible {
    /// The built-in default from `ConfigurationKey.all`.
    case defaults
    /// The YAML file at this path.
    case file(path: String)
    /// This environment variable.
    case environment(name: String)
    /// This command-line flag.
    case flag(String)

    /// `default`, `file /etc/modeld.yaml`, `environment MODELD_LISTEN` or `flag --listen`.
    public var description: String {
        switch self {
        case .defaults: "default"
        case .file(let path): "file \(path)"
        case .environment(let name): "environment \(name)"
        case .flag(let flag): "flag \(flag)"
        }
    }
}
