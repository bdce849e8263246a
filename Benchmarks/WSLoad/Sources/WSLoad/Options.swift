import Glibc
import WSLoadCore

/// The command line of `ws-load` (parsed by hand: the package depends on nothing).
struct Options {
    enum Mode: String {
        /// W2: N idle subscribers, then M closed-loop publishes (and optionally paced ones).
        case fanout
        /// W3: open and handshake N connections at once (bounded in flight); time it.
        case storm
    }

    var mode: Mode = .fanout
    var host = "127.0.0.1"
    var port: UInt16 = 0
    var room = "bench"
    /// Subscribers (fanout) or connections (storm). Default 100.
    var connections = 100
    /// Closed-loop publishes of the fanout phase. Default 200.
    var messages = 200
    /// Paced publishes after the fanout phase (each waits until every subscriber has the
    /// previous one). Default 0 (none).
    var paced = 0
    /// Handshakes in flight at once. Default 1000 (below the servers' listen backlogs, so
    /// the kernel never drops a SYN and a 1 s retransmit never pollutes a timing).
    var inFlight = 1000
    /// The server's PID, for VmRSS per idle connection and server CPU. Default none.
    var serverPID: Int32?
    /// Wait after the last handshake before sampling VmRSS. Default 300 ms.
    var settleMillis = 300
    /// Body size of each published message. Default 150 bytes.
    var bodyBytes = 150
    /// Bound on the whole run. Default 120 s.
    var timeoutSeconds = 120
    /// A phase with no progress for this long is over (what is missing counts as errors).
    /// Default 10 s.
    var stallSeconds = 10
    /// Open-loop phases after the closed-loop one (`--rate 20,50,100`): publishes per second,
    /// each phase `rateSeconds` long. Default none.
    var rates: [Double] = []
    /// Length of each open-loop phase in seconds of schedule. Default 5.
    var rateSeconds = 5.0
    var label = "server"
    var verbose = false
    /// Subscribe over Socket.IO v5 on Engine.IO v4's websocket transport (`--socketio`):
    /// `GET /socket.io/?EIO=4&transport=websocket`, `40` to connect (a subscriber counts as
    /// open once `40{...}` arrives), pings (`2`) answered with `3`, and each published body
    /// expected as the argument of a `message` event, `42["message",BODY]`.
    var socketIO = false
    /// Sent as `Authorization: Bearer TOKEN` with every POST (`--token` or `--token-file`):
    /// modeld's room publish needs its admin token. Default none.
    var bearerToken: String?

    static let usage = """
        usage: ws-load fanout|storm --port PORT [-n N] [-m M] [--paced K] [--in-flight C]
                       [--pid SERVER_PID] [--host 127.0.0.1] [--room bench] [--settle-ms 300]
                       [--body-bytes 150] [--timeout S] [--stall S] [--label NAME] [--verbose]
                       [--token TOKEN | --token-file FILE] [--socketio]
                       [--rate R1,R2,... [--rate-seconds 5]]
        fanout: N subscribers of room ROOM, M closed-loop POSTs, then, per rate R, an
                open-loop phase of R x S POSTs at R per second on a fixed schedule (pipelined
                on the one connection; latency counts from each POST's due time), then K
                paced POSTs.
                --token TOKEN sends `Authorization: Bearer TOKEN` with each POST (modeld
                answers 403 admin_disabled / 401 without its admin token); --token-file FILE
                reads TOKEN from FILE's first line, as modeld's --admin-token-file does, and
                keeps it off the command line. Servers that do not check it ignore it.
        storm:  N handshakes started at once, at most C in flight; their total time.
        Prints one line of key=value; exit 1 if errors > 0, 2 on a usage error.
        """

    /// Parses `arguments` (without the program name); nil on a usage error.
    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        guard let first = arguments.first, let mode = Mode(rawValue: first) else { return nil }
        options.mode = mode
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            if flag == "--verbose" || flag == "-v" {
                options.verbose = true
                continue
            }
            if flag == "--socketio" {
                options.socketIO = true
                continue
            }
            guard let value = rest.popFirst() else { return nil }
            guard options.set(flag, value) else { return nil }
        }
        guard options.port != 0, options.connections > 0, options.messages >= 0, options.paced >= 0,
              options.inFlight > 0, (100...4000).contains(options.bodyBytes) else { return nil }
        return options
    }

    private mutating func set(_ flag: String, _ value: String) -> Bool {
        switch flag {
        case "--port", "-p": guard let port = UInt16(value) else { return false }; self.port = port
        case "--host": host = value
        case "--room": room = value
        case "-n", "--connections": guard let count = Int(value) else { return false }; connections = count
        case "-m", "--messages": guard let count = Int(value) else { return false }; messages = count
        case "--paced": guard let count = Int(value) else { return false }; paced = count
        case "--in-flight", "-c": guard let count = Int(value) else { return false }; inFlight = count
        case "--pid", "-P": guard let pid = Int32(value) else { return false }; serverPID = pid
        case "--settle-ms": guard let millis = Int(value) else { return false }; settleMillis = millis
        case "--body-bytes": guard let bytes = Int(value) else { return false }; bodyBytes = bytes
        case "--timeout": guard let seconds = Int(value) else { return false }; timeoutSeconds = seconds
        case "--stall": guard let seconds = Int(value) else { return false }; stallSeconds = seconds
        case "--rate":
            let parsed = value.split(separator: ",").map { Double($0) }
            guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) > 0 && $0!.isFinite }) else { return false }
            rates = parsed.map { $0! }
        case "--rate-seconds":
            guard let seconds = Double(value), seconds > 0, seconds.isFinite else { return false }
            rateSeconds = seconds
        case "--label": label = value
        case "--token":
            do { bearerToken = try BearerToken.validated(value) } catch {
                printError("ws-load: --token: \(error)")
                return false
            }
        case "--token-file":
            do { bearerToken = try BearerToken.parse(fileContents: try Self.readFile(value)) } catch {
                printError("ws-load: --token-file \(value): \(error)")
                return false
            }
        default: return false
        }
        return true
    }

    /// Why a file could not be read: the C library's message.
    private struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    /// The whole text of the file at `path` (a token file: a few bytes).
    private static func readFile(_ path: String) throws -> String {
        guard let file = fopen(path, "r") else { throw ReadError(description: String(cString: strerror(errno))) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 { bytes += chunk[..<count] }
            if count < chunk.count { break }
        }
        guard ferror(file) == 0 else { throw ReadError(description: "read error") }
        return String(decoding: bytes, as: UTF8.self)
    }
}
