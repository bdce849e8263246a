import WSLoadCore

/// The keys of one open-loop phase, prefixed `r<RATE>_` (`r20_p99_ms`).
extension Report {
    mutating func addOpenLoop(_ phase: OpenLoopResult, recipients: Int, serverCPUMillis: Double?) {
        var result = phase
        let whole = result.rate.rounded() == result.rate
        let prefix = "r" + (whole ? String(Int(result.rate)) : Self.format(result.rate, decimals: 2)) + "_"
        add(prefix + "published", result.published)
        add(prefix + "received", result.received)
        add(prefix + "complete", result.complete ? 1 : 0)
        add(prefix + "offered_per_s", result.rate * Double(recipients), decimals: 0)
        add(prefix + "msgs_per_s", result.seconds > 0 ? Double(result.received) / result.seconds : nil, decimals: 0)
        add(prefix + "p50_ms", result.latencies.percentileMillis(50))
        add(prefix + "p99_ms", result.latencies.percentileMillis(99))
        add(prefix + "max_ms", result.latencies.percentileMillis(100))
        add(prefix + "late_p99_ms", result.lateness.percentileMillis(99))
        add(prefix + "late_max_ms", result.lateness.percentileMillis(100))
        if let serverCPUMillis, result.received > 0 {
            add(prefix + "srv_cpu_us_per_msg", serverCPUMillis * 1000 / Double(result.received), decimals: 2)
        }
    }
}
