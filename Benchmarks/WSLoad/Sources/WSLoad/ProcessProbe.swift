import Glibc

/// Reads another process's memory and CPU time from /proc (the server under test).
struct ProcessProbe {
    let pid: Int32

    /// A `kB` field of /proc/PID/status (VmRSS, VmHWM) in bytes, or nil.
    func statusBytes(_ key: String) -> Int? {
        guard let text = Self.readFile("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let digits = line.dropFirst(key.count + 1).filter { $0.isNumber }
            return Int(digits).map { $0 * 1024 }
        }
        return nil
    }

    /// User plus system CPU time in milliseconds (/proc/PID/stat fields 14 and 15), or nil.
    func cpuMillis() -> Double? {
        guard let text = Self.readFile("/proc/\(pid)/stat"), let paren = text.lastIndex(of: ")") else { return nil }
        // After "comm)": state is field 3, so utime (14) and stime (15) are at 11 and 12.
        let fields = text[text.index(after: paren)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) * 1000 / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// This process's own CPU time in milliseconds.
func ownCPUMillis() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let user = Double(usage.ru_utime.tv_sec) * 1000 + Double(usage.ru_utime.tv_usec) / 1000
    let system = Double(usage.ru_stime.tv_sec) * 1000 + Double(usage.ru_stime.tv_usec) / 1000
    return user + system
}
