extension ConfigurationKey {
    /// The settings part of `modeld --help` and `modeld serve --help`, generated from `all`
    /// so that help, environment names and defaults cannot drift apart. Lines stay within
    /// 80 columns so ArgumentParser prints them as they are:
    ///
    ///       --http-max-header-bytes BYTES
    ///           Largest request line plus header section; a larger one gets 431.
    ///           Default 16384 bytes. Environment MODELD_HTTP_MAX_HEADER_BYTES.
    public static var helpText: String {
        var lines = entry(
            usage: "\(ConfigurationFlags.configFlag) FILE",
            help: "YAML file of settings (see Config/modeld.yaml); the environment and flags override it.",
            details: "Default none. Environment \(Configuration.configFileEnvironmentName)."
        )
        for key in all {
            lines += entry(
                usage: "\(key.flag) \(key.placeholder)" + (key.isList ? " ..." : ""),
                help: key.help,
                details: "\(key.defaultSummary). Environment \(key.environmentName)."
            )
        }
        return lines.joined(separator: "\n")
    }

    /// `Default 16384 bytes`, `Default auto`, `Default none`.
    public var defaultSummary: String {
        guard !defaultValue.isEmpty else { return "Default none" }
        let shownUnit = defaultValue == "auto" ? nil : unit
        return (["Default", defaultValue] + [shownUnit].compactMap { $0 }).joined(separator: " ")
    }

    private static func entry(usage: String, help: String, details: String) -> [String] {
        // 79: ArgumentParser re-wraps a line of 80 columns (and drops its indent).
        ["  " + usage] + wrapped(help + " " + details, indent: 6, width: 79)
    }

    private static func wrapped(_ text: String, indent: Int, width: Int) -> [String] {
        let margin = String(repeating: " ", count: indent)
        var lines: [String] = []
        var line = margin
        for word in text.split(separator: " ") {
            if line.count > indent && line.count + 1 + word.count > width {
                lines.append(line)
                line = margin
            }
            line += (line.count > indent ? " " : "") + word
        }
        lines.append(line)
        return lines
    }
}
