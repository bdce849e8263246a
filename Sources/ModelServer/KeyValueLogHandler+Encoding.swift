import Logging

extension KeyValueLogHandler {
    /// Encodes one entry as a line ending in `\n`: `ts`, `level`, `msg`, then metadata by key.
    /// `timestamp` nil omits `ts`.
    static func encodeLine(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        timestamp: String?,
        format: LogFormat,
        prefixesSyslogPriority: Bool
    ) -> String {
        var fields: [(String, Logger.MetadataValue)] = []
        if let timestamp { fields.append(("ts", .string(timestamp))) }
        fields.append(("level", .string(level.rawValue)))
        fields.append(("msg", .string(message)))
        for key in metadata.keys.sorted() { fields.append((sanitizedKey(key), metadata[key]!)) }

        var line = prefixesSyslogPriority ? "<\(syslogPriority(level))>" : ""
        switch format {
        case .keyValue:
            line += fields.map { key, value in "\(key)=\(quotedIfNeeded(value.description))" }
                .joined(separator: " ")
        case .json:
            line += "{" + fields.map { key, value in "\(jsonString(key)):\(jsonValue(value))" }
                .joined(separator: ",") + "}"
        }
        return line + "\n"
    }

    /// The syslog priority journald reads from a `<N>` prefix (sd-daemon(3)); swift-log's
    /// `trace` has no syslog peer and shares `debug`'s 7.
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// RFC 3339 UTC with milliseconds: `2026-11-22T03:54:01.123Z`.
    static func formatTimestamp(secondsSinceEpoch: Int, nanoseconds: Int) -> String {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        let secondOfDay = secondsSinceEpoch - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(nanoseconds / 1_000_000, 3))Z"
    }

    /// Howard Hinnant's `civil_from_days`: proleptic Gregorian date of a day count.
    private static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Keys come from `LogKey`, but a stray one must not break the line's grammar.
    private static func sanitizedKey(_ key: String) -> String {
        key.isEmpty ? "_" : String(key.map { needsQuoting($0) ? "_" : $0 })
    }

    private static func needsQuoting(_ character: Character) -> Bool {
        character == " " || character == "=" || character == "\""
            || character.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// The value as is, or in quotes with `"`, `\` and control characters escaped.
    static func quotedIfNeeded(_ text: String) -> String {
        guard text.isEmpty || text.contains(where: needsQuoting) else { return text }
        return "\"" + escaped(text, json: false) + "\""
    }

    private static func jsonString(_ text: String) -> String {
        "\"" + escaped(text, json: true) + "\""
    }

    private static func jsonValue(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): jsonString(text)
        case .stringConvertible(let convertible): jsonString(convertible.description)
        case .array(let items): "[" + items.map(jsonValue).joined(separator: ",") + "]"
        case .dictionary(let entries):
            "{" + entries.keys.sorted().map { "\(jsonString($0)):\(jsonValue(entries[$0]!))" }
                .joined(separator: ",") + "}"
        }
    }

    /// Escapes `"`, `\` and control characters; JSON (RFC 8259 §7) spells the rest `\u00XX`.
    private static func escaped(_ text: String, json: Bool) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.properties.generalCategory == .control:
                let hex = String(scalar.value, radix: 16)
                result += json ? "\\u" + String(repeating: "0", count: 4 - hex.count) + hex : "\\u{\(hex)}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
