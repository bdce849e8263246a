/// The one summary line: `key=value` pairs separated by spaces, in a fixed order. Numbers
/// the run could not measure are left out rather than printed as zero.
struct Report {
    private var pairs: [(String, String)] = []

    mutating func add(_ key: String, _ value: Int) {
        pairs.append((key, String(value)))
    }

    mutating func add(_ key: String, _ value: String) {
        pairs.append((key, value))
    }

    /// `value` with `decimals` digits after the point; omitted when nil.
    mutating func add(_ key: String, _ value: Double?, decimals: Int = 3) {
        guard let value, value.isFinite else { return }
        pairs.append((key, Self.format(value, decimals: decimals)))
    }

    var line: String {
        pairs.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    /// Fixed-point text without Foundation's `String(format:)`.
    static func format(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(whole) }
        let digits = String(fraction)
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - digits.count) + digits
    }
}
