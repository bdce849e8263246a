/// A strict reader of the Prometheus text exposition format 0.0.4, for tests: it fails on
/// any line that is not a `# HELP`, a `# TYPE` or a well-formed sample, on samples before
/// their family's `# TYPE` or outside their family's block, on counters not named `_total`,
/// and on histograms whose buckets are not cumulative or disagree with `_count`.
struct PrometheusText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    private(set) var samples: [Sample] = []
    private(set) var types: [String: String] = [:]
    private(set) var helps: [String: String] = [:]

    init(parsing text: String) throws(FormatError) {
        var family: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count == 2, Self.isMetricName(parts[0]) else { throw FormatError(description: "bad comment: \(line)") }
                if line.hasPrefix("# HELP ") {
                    helps[parts[0]] = parts[1]
                } else {
                    guard types[parts[0]] == nil, ["counter", "gauge", "histogram"].contains(parts[1]) else {
                        throw FormatError(description: "repeated or unknown TYPE: \(line)")
                    }
                    guard parts[1] != "counter" || parts[0].hasSuffix("_total") else {
                        throw FormatError(description: "counter without _total: \(line)")
                    }
                    types[parts[0]] = parts[1]
                    family = parts[0]
                }
                continue
            }
            let sample = try Self.parseSample(String(line))
            guard let family, Self.belongs(sample.name, to: family, type: types[family] ?? "") else {
                throw FormatError(description: "sample outside its family's block: \(line)")
            }
            samples.append(sample)
        }
        try checkHistograms()
    }

    /// The value of the sample `name` whose labels are exactly `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every sample named `name`.
    func samples(named name: String) -> [Sample] {
        samples.filter { $0.name == name }
    }

    private static func belongs(_ name: String, to family: String, type: String) -> Bool {
        name == family || (type == "histogram" && ["_bucket", "_sum", "_count"].contains { name == family + $0 })
    }

    private static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first == ":" || first.properties.isAlphabetic else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0 == ":" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    private static func parseSample(_ line: String) throws(FormatError) -> Sample {
        var rest = Substring(line)
        let name = String(rest.prefix { $0 != "{" && $0 != " " })
        guard isMetricName(name) else { throw FormatError(description: "bad metric name: \(line)") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let key = String(rest.prefix { $0 != "=" })
                rest = rest.dropFirst(key.count)
                guard isMetricName(key), !key.contains(":"), rest.hasPrefix("=\"") else { throw FormatError(description: "bad label: \(line)") }
                rest = rest.dropFirst(2)
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    guard character == "\\" else { value.append(character); continue }
                    guard let escaped = rest.first, "\\\"n".contains(escaped) else { throw FormatError(description: "bad escape: \(line)") }
                    value.append(escaped == "n" ? "\n" : escaped)
                    rest = rest.dropFirst()
                }
                guard rest.first == "\"", labels[key] == nil else { throw FormatError(description: "bad label value: \(line)") }
                labels[key] = value
                rest = rest.dropFirst()
                if rest.first == "," { rest = rest.dropFirst() }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " ", let value = Double(rest.dropFirst()) ?? (rest.dropFirst() == "+Inf" ? .infinity : nil) else {
            throw FormatError(description: "bad value: \(line)")
        }
        return Sample(name: name, labels: labels, value: value)
    }

    /// Buckets per series are cumulative in `le` order, and `+Inf` equals `_count`.
    private func checkHistograms() throws(FormatError) {
        for (family, type) in types where type == "histogram" {
            var series: [[String: String]: [(le: Double, count: Double)]] = [:]
            for sample in samples(named: family + "_bucket") {
                guard let le = sample.labels["le"].flatMap({ $0 == "+Inf" ? .infinity : Double($0) }) else {
                    throw FormatError(description: "bucket without le in \(family)")
                }
                series[sample.labels.filter { $0.key != "le" }, default: []].append((le, sample.value))
            }
            for (labels, buckets) in series {
                let ordered = buckets.sorted { $0.le < $1.le }
                guard ordered.last?.le == .infinity, ordered.last?.count == value(family + "_count", labels),
                      zip(ordered, ordered.dropFirst()).allSatisfy({ $0.count <= $1.count }) else {
                    throw FormatError(description: "inconsistent histogram \(family)\(labels)")
                }
            }
        }
    }
}
