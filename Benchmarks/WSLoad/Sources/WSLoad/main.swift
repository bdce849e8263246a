import Glibc
import WSLoadCore

// ws-load: WebSocket fan-out (W2) and upgrade-storm (W3) load generator for
// `scripts/bench ws`. One process, one epoll loop; see Options.usage.

/// Diagnostics go to stderr (fd 2) so stdout carries only the summary line.
func printError(_ text: String) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

guard let options = Options.parse(Array(CommandLine.arguments.dropFirst())) else {
    printError(Options.usage)
    exit(2)
}
let descriptorLimit = Socket.raiseDescriptorLimit()
guard descriptorLimit >= options.connections + 16 else {
    printError("ws-load: RLIMIT_NOFILE is \(descriptorLimit), too low for \(options.connections) connections")
    exit(2)
}
// A peer that resets a connection must not kill the generator with SIGPIPE.
signal(SIGPIPE, SIG_IGN)

let run = LoadRun(options: options)
let server = options.serverPID.map(ProcessProbe.init(pid:))
var report = Report()
report.add("ws-load", 1)
report.add("label", options.label)
report.add("mode", options.mode.rawValue)
report.add("n", options.connections)

let rssBefore = server?.statusBytes("VmRSS")
let serverCPU0 = server?.cpuMillis(), clientCPU0 = ownCPUMillis()
let connectSeconds = run.connectAll()
report.add("connected", run.counters.handshakes)
report.add(options.mode == .storm ? "handshake_total_s" : "connect_s", connectSeconds, decimals: 4)
report.add("handshakes_per_s", connectSeconds > 0 ? Double(run.counters.handshakes) / connectSeconds : nil, decimals: 0)
report.add("hs_p50_ms", run.handshakeNanos.percentileMillis(50))
report.add("hs_p99_ms", run.handshakeNanos.percentileMillis(99))
report.add("hs_max_ms", run.handshakeNanos.percentileMillis(100))

var expectedMessages = 0
if options.mode == .fanout {
    run.settle(millis: options.settleMillis)
    if let rssBefore, let rssAfter = server?.statusBytes("VmRSS"), run.openCount > 0 {
        report.add("rss_before_kb", rssBefore / 1024)
        report.add("rss_after_kb", rssAfter / 1024)
        report.add("rss_per_conn_bytes", Double(rssAfter - rssBefore) / Double(run.openCount), decimals: 0)
    }
    let serverCPU1 = server?.cpuMillis(), clientCPU1 = ownCPUMillis()
    run.expectedRecipients = run.openCount
    run.connectPublisher()
    report.add("m", options.messages)
    let seconds = options.messages > 0 && !run.timedOut ? run.fanout(count: options.messages) : 0
    let fanoutReceived = run.counters.received
    var fanoutLatencies = run.latencies
    let serverCPU2 = server?.cpuMillis(), clientCPU2 = ownCPUMillis()
    report.add("received", fanoutReceived)
    report.add("msgs_per_s", seconds > 0 ? Double(fanoutReceived) / seconds : nil, decimals: 0)
    report.add("p50_ms", fanoutLatencies.percentileMillis(50))
    report.add("p99_ms", fanoutLatencies.percentileMillis(99))
    report.add("max_ms", fanoutLatencies.percentileMillis(100))
    if let serverCPU1, let serverCPU2, fanoutReceived > 0 {
        report.add("srv_cpu_us_per_msg", (serverCPU2 - serverCPU1) * 1000 / Double(fanoutReceived), decimals: 2)
    }
    report.add("client_cpu_us_per_msg", fanoutReceived > 0 ? (clientCPU2 - clientCPU1) * 1000 / Double(fanoutReceived) : nil, decimals: 2)
    var openLoopMessages = 0
    if !options.rates.isEmpty && !run.timedOut && run.awaitPublisher() {
        for rate in options.rates where !run.timedOut && run.publisher.state == .open {
            let cpuBefore = server?.cpuMillis()
            let result = run.openLoop(rate: rate, count: max(1, Int((rate * options.rateSeconds).rounded())))
            let serverCPUMillis = cpuBefore.flatMap { before in server?.cpuMillis().map { $0 - before } }
            openLoopMessages += result.published
            report.addOpenLoop(result, recipients: run.expectedRecipients, serverCPUMillis: serverCPUMillis)
        }
    }
    if options.paced > 0 && !run.timedOut {
        var pacedTimes = run.paced(count: options.paced)
        report.add("paced", pacedTimes.count)
        report.add("paced_p50_ms", pacedTimes.percentileMillis(50))
        report.add("paced_p99_ms", pacedTimes.percentileMillis(99))
        report.add("paced_max_ms", pacedTimes.percentileMillis(100))
    }
    var roundTrips = LatencySamples()
    for nanos in run.publisher.roundTrips { roundTrips.append(nanos) }
    report.add("post_p50_ms", roundTrips.percentileMillis(50))
    report.add("post_p99_ms", roundTrips.percentileMillis(99))
    expectedMessages = run.expectedRecipients * (options.messages + options.paced + openLoopMessages)
    if let serverCPU0, let serverCPU1 {
        report.add("srv_cpu_us_per_hs", run.counters.handshakes > 0 ? (serverCPU1 - serverCPU0) * 1000 / Double(run.counters.handshakes) : nil, decimals: 1)
    }
    _ = clientCPU0
}
if let hwm = server?.statusBytes("VmHWM") { report.add("srv_hwm_kb", hwm / 1024) }

let counters = run.counters
let missing = expectedMessages - counters.received
report.add("missing", max(0, missing))
report.add("gaps", counters.gaps)
report.add("pings", counters.pings)
report.add("hs_fail", counters.handshakeFailures)
report.add("frame_err", counters.frameErrors)
report.add("payload_err", counters.payloadErrors)
report.add("order_err", counters.orderErrors)
report.add("closed_by_server", counters.closedByServer + counters.eofAfterOpen)
report.add("post_err", counters.postFailures + counters.postIOErrors + counters.recipientMismatches)
report.add("timeout", run.timedOut ? 1 : 0)
let errors = counters.errors(missing: missing, timedOut: run.timedOut)
report.add("errors", errors)
print(report.line)
exit(errors > 0 ? 1 : 0)
