import Glibc
import Logging

/// Turns the text of one setting, from any source, into a typed value or a problem stated
/// for an operator ("expected a positive integer, got \"abc\"").
///
/// Every source hands over text: YAML scalars are read as strings, so `16384` in the file,
/// `MODELD_HTTP_MAX_HEADER_BYTES=16384` and `--http-max-header-bytes 16384` go through the same
/// parser and fail with the same message.
struct ConfigurationValueParser<Value>: Sendable {
    /// The word standing for the value in help text: `N`, `BYTES`, `HOST:PORT`.
    let placeholder: String
    /// Whether the setting takes several values (a YAML sequence, comma-separated text, or
    /// a repeated flag).
    let isList: Bool
    /// Parses the values; a scalar setting always receives exactly one.
    let parse: @Sendable ([String]) throws(ConfigurationValueProblem) -> Value

    /// A parser for a setting that takes one value.
    static func scalar(
        _ placeholder: String,
        _ parseOne: @escaping @Sendable (String) throws(ConfigurationValueProblem) -> Value
    ) -> Self {
        Self(placeholder: placeholder, isList: false) { values throws(ConfigurationValueProblem) in
            try parseOne(values[0])
        }
    }
}

/// Why a value was rejected; `message` completes "KEY (SOURCE): …".
struct ConfigurationValueProblem: Error, Equatable {
    let message: String

    static func expected(_ what: String, got value: String) -> Self {
        Self(message: "expected \(what), got \(String(reflecting: value))")
    }
}

extension ConfigurationValueParser<Int> {
    /// An integer of at least 1.
    static let positiveInteger = scalar("N") { text throws(ConfigurationValueProblem) in
        guard let value = Int(text), value >= 1 else { throw .expected("a positive integer", got: text) }
        return value
    }

    /// An integer of at least 0.
    static let nonNegativeInteger = scalar("N") { text throws(ConfigurationValueProblem) in
        guard let value = Int(text), value >= 0 else { throw .expected("a non-negative integer", got: text) }
        return value
    }

    /// A byte count, plain or with an IEC suffix (`16KiB`, `8GiB`).
    static func byteCount(allowingZero: Bool) -> Self {
        scalar("BYTES") { text throws(ConfigurationValueProblem) in
            let what = allowingZero ? "a number of bytes" : "a positive number of bytes"
            guard let value = parseByteCount(text), value >= (allowingZero ? 0 : 1) else {
                throw .expected("\(what) such as 16384 or 16KiB", got: text)
            }
            return value
        }
    }

    /// A positive integer, or `auto` for the number of online CPUs.
    static let eventLoops = scalar("N|auto") { text throws(ConfigurationValueProblem) in
        if text == "auto" { return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
        guard let value = Int(text), value >= 1 else {
            throw .expected("a positive integer or \"auto\"", got: text)
        }
        return value
    }

    /// One of a few allowed integers.
    static func oneOf(_ allowed: [Int]) -> Self {
        let names = allowed.map(String.init).joined(separator: "|")
        return scalar(names) { text throws(ConfigurationValueProblem) in
            guard let value = Int(text), allowed.contains(value) else {
                throw .expected("one of \(allowed.map(String.init).joined(separator: ", "))", got: text)
            }
            return value
        }
    }

    private static func parseByteCount(_ text: String) -> Int? {
        let suffixes: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40)]
        for (suffix, multiplier) in suffixes where text.lowercased().hasSuffix(suffix.lowercased()) {
            guard let number = Int(text.dropLast(suffix.count)) else { return nil }
            let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
            return overflow ? nil : bytes
        }
        return Int(text)
    }
}

extension ConfigurationValueParser<Duration> {
    /// A number of seconds, fractions allowed, at most about 31 years.
    static func seconds(allowingZero: Bool) -> Self {
        scalar("SECONDS") { text throws(ConfigurationValueProblem) in
            let what = allowingZero ? "a number of seconds of at least 0" : "a number of seconds above 0"
            guard let seconds = Double(text), seconds.isFinite, seconds <= 1e9,
                allowingZero ? seconds >= 0 : seconds > 0
            else {
                throw .expected(what, got: text)
            }
            let nanoseconds = Int64((seconds * 1e9).rounded())
            // Below half a nanosecond a positive value would become a zero duration.
            guard allowingZero || nanoseconds > 0 else { throw .expected("a number of seconds of at least 1e-9", got: text) }
            return .nanoseconds(nanoseconds)
        }
    }
}

extension ConfigurationValueParser<Logger.Level> {
    /// A swift-log level name, `trace` to `critical`.
    static let logLevel = scalar("LEVEL") { text throws(ConfigurationValueProblem) in
        guard let level = Logger.Level(rawValue: text) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw .expected("one of \(names)", got: text)
        }
        return level
    }
}

extension ConfigurationValueParser<LogFormat> {
    /// `keyvalue` or `json`.
    static let logFormat = scalar("keyvalue|json") { text throws(ConfigurationValueProblem) in
        guard let format = LogFormat(rawValue: text) else {
            throw .expected("one of keyvalue, json", got: text)
        }
        return format
    }
}

extension ConfigurationValueParser<String> {
    /// A non-empty file-system path.
    static let path = scalar("PATH") { text throws(ConfigurationValueProblem) in
        guard !text.isEmpty else { throw .expected("a path", got: text) }
        return text
    }
}

extension ConfigurationValueParser<String?> {
    /// A file-system path, or empty for none.
    static let optionalPath = scalar("FILE") { text in text.isEmpty ? nil : text }

    /// An `http://` or `https://` URL, or empty for none.
    static let optionalURL = scalar("URL") { text throws(ConfigurationValueProblem) in
        if text.isEmpty { return nil }
        guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
            throw .expected("an http:// or https:// URL", got: text)
        }
        return text
    }
}

extension ConfigurationValueParser<[ListenAddress]> {
    /// One or more `HOST:PORT` addresses.
    static let listenAddresses = Self(placeholder: "HOST:PORT", isList: true) { values throws(ConfigurationValueProblem) in
        guard !values.isEmpty else { throw .expected("at least one HOST:PORT", got: "") }
        var addresses: [ListenAddress] = []
        for text in values {
            do throws(ListenAddress.ParseError) {
                addresses.append(try ListenAddress(parsing: text))
            } catch {
                throw ConfigurationValueProblem(message: error.description)
            }
        }
        return addresses
    }
}

extension ConfigurationValueParser<[HubModelFlag]> {
    /// `ID=hf://ORG/NAME[@REV]` items.
    static let hubModels = Self(placeholder: "ID=hf://ORG/NAME[@REV]", isList: true) { values throws(ConfigurationValueProblem) in
        var models: [HubModelFlag] = []
        for text in values where !text.isEmpty {
            guard let model = HubModelFlag(parsing: text) else {
                throw .expected("ID=hf://ORG/NAME[@REV] with a model id of letters, digits, '.', '_', '-'", got: text)
            }
            guard !models.contains(where: { $0.id == model.id }) else { throw .expected("distinct model ids", got: text) }
            models.append(model)
        }
        return models
    }
}

extension ConfigurationValueParser<LoadAtStartup> {
    /// `all`, `none`, or model IDs.
    static let loadAtStartup = Self(placeholder: "all|none|ID,ID...", isList: true) { values throws(ConfigurationValueProblem) in
        if values == ["all"] { return .all }
        if values == ["none"] { return .none }
        if values.isEmpty || values.contains(where: { $0.isEmpty || $0 == "all" || $0 == "none" }) {
            throw .expected("all, none, or a comma-separated list of model IDs", got: values.joined(separator: ","))
        }
        return .only(values)
    }
}

extension ConfigurationValueParser<Bool> {
    /// `true` or `false` (a bare flag means true).
    static let boolean = scalar(ConfigurationKey.booleanPlaceholder) { text throws(ConfigurationValueProblem) in
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw .expected("true or false", got: text)
        }
    }
}

extension ConfigurationValueParser<[String]> {
    /// A comma-separated list of strings; empty for none.
    static let stringList = Self(placeholder: "VALUE,VALUE...", isList: true) { values in
        values.filter { !$0.isEmpty }
    }
}
