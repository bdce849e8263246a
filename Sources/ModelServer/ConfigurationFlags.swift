import Configuration

/// The `serve` command line, read against `ConfigurationKey.all`: `--config FILE` and one flag
/// per key, each as `--flag VALUE` or `--flag=VALUE`.
///
/// A list flag (`--listen`) may repeat and each occurrence adds values; a scalar flag given
/// twice keeps the last, as most command lines do. The values become the flags layer, an
/// in-memory swift-configuration provider, so they go through the same lookup as the file and
/// the environment.
struct ConfigurationFlags {
    /// The flag naming the YAML file.
    static let configFlag = "--config"

    /// The `--config` value, if given.
    private(set) var configFile: String?
    /// Values per key name, in command-line order.
    private(set) var valuesByKey: [String: [String]] = [:]

    init(parsing arguments: [String]) throws(ConfigurationError) {
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else { throw .unexpectedArgument(argument) }
            let flag: String
            let value: String
            // Found among scalars, not characters: "=" followed by a combining mark is one
            // Character, and would hide the separator (found by the config fuzz target).
            if let equals = argument.unicodeScalars.firstIndex(of: "=") {
                flag = String(argument[..<equals])
                value = String(argument.unicodeScalars[argument.unicodeScalars.index(after: equals)...])
            } else if ConfigurationKey.all.first(where: { $0.flag == argument })?.isBoolean == true,
                      index == arguments.endIndex || arguments[index].hasPrefix("--") {
                // A bare boolean flag (`--enable-echo`) means true.
                flag = argument
                value = "true"
            } else {
                // A following flag means this one's value was forgotten, not that it is "--x".
                guard index < arguments.endIndex, !arguments[index].hasPrefix("--") else {
                    throw .missingFlagValue(argument)
                }
                flag = argument
                value = arguments[index]
                index += 1
            }
            try record(flag: flag, value: value)
        }
    }

    private mutating func record(flag: String, value: String) throws(ConfigurationError) {
        if flag == Self.configFlag {
            guard !value.isEmpty else { throw .missingFlagValue(flag) }
            configFile = value
            return
        }
        guard let key = ConfigurationKey.all.first(where: { $0.flag == flag }) else { throw .unknownFlag(flag) }
        if key.isList {
            valuesByKey[key.name, default: []].append(value)
        } else {
            valuesByKey[key.name] = [value]
        }
    }

    /// The flags as a configuration layer.
    var layer: ConfigurationLayer {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (name, texts) in valuesByKey {
            guard let key = ConfigurationKey.named(name) else { continue }
            let content: ConfigContent = key.isList ? .stringArray(texts) : .string(texts[0])
            values[AbsoluteConfigKey(key.components)] = ConfigValue(content, isSecret: false)
        }
        return ConfigurationLayer(
            snapshot: InMemoryProvider(name: "flags", values: values).snapshot(),
            keyPrefix: [],
            source: { .flag($0.flag) }
        )
    }
}
