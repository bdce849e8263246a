/// Writing the request metrics in the Prometheus text exposition format 0.0.4.
extension HTTPMetrics {
    /// Appends both families, with `# HELP` and `# TYPE` lines (also when no request was
    /// counted yet), series sorted by route, method and status so scrapes diff cleanly.
    func emit(into text: inout [UInt8]) {
        let totals = totals()
        let keys = totals.keys.sorted()
        Self.header(.httpRequests, type: "counter", into: &text)
        for key in keys {
            let (route, method, status) = Self.parts(of: key)
            sample(MetricName.httpRequests.rawValue, route: route, method: method,
                   extra: (MetricName.Label.status, String(status)), value: String(totals[key]?.count ?? 0), into: &text)
        }
        // The duration histogram is per (route, method): statuses are added together.
        var histograms: [Int: HTTPRequestTally.Cell] = [:]
        for (key, cell) in totals {
            histograms[key / 1000, default: HTTPRequestTally.Cell(bucketCount: boundsNanoseconds.count)].add(cell)
        }
        Self.header(.httpRequestDuration, type: "histogram", into: &text)
        for routeMethod in histograms.keys.sorted() {
            guard let cell = histograms[routeMethod] else { continue }
            let (route, method, _) = Self.parts(of: routeMethod * 1000)
            let name = MetricName.httpRequestDuration.rawValue
            var cumulative = 0
            for (index, bound) in boundsNanoseconds.enumerated() {
                cumulative += cell.buckets[index]
                sample(name + "_bucket", route: route, method: method, extra: ("le", Self.seconds(bound)),
                       value: String(cumulative), into: &text)
            }
            sample(name + "_bucket", route: route, method: method, extra: ("le", "+Inf"), value: String(cell.count), into: &text)
            sample(name + "_sum", route: route, method: method, value: Self.seconds(cell.nanoseconds), into: &text)
            sample(name + "_count", route: route, method: method, value: String(cell.count), into: &text)
        }
    }

    private static func header(_ name: MetricName, type: String, into text: inout [UInt8]) {
        text += Array("# HELP \(name.rawValue) \(name.help)\n# TYPE \(name.rawValue) \(type)\n".utf8)
    }

    private func sample(_ name: String, route: Int, method: Int, extra: (String, String)? = nil, value: String,
                        into text: inout [UInt8]) {
        text += Array(name.utf8)
        text += Array("{\(MetricName.Label.route)=\"".utf8)
        Self.appendEscaped(routeLabels[route], to: &text)
        text += Array("\",\(MetricName.Label.method)=\"\(Self.methodLabels[method])\"".utf8)
        if let (label, labelValue) = extra {
            text += Array(",\(label)=\"".utf8)
            Self.appendEscaped(labelValue, to: &text)
            text.append(UInt8(ascii: "\""))
        }
        text += Array("} \(value)\n".utf8)
    }

    /// A label value with `\`, `"` and line feeds escaped (the text format's only escapes).
    private static func appendEscaped(_ value: String, to text: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): text += Array(#"\\"#.utf8)
            case UInt8(ascii: "\""): text += Array(#"\""#.utf8)
            case UInt8(ascii: "\n"): text += Array(#"\n"#.utf8)
            default: text.append(byte)
            }
        }
    }

    /// Nanoseconds as seconds, in the shortest form that reads back the same (`0.00025`, `1.0`).
    private static func seconds(_ nanoseconds: Int) -> String {
        String(Double(nanoseconds) / 1e9)
    }
}
