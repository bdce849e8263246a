import ModelLoading
import Testing

/// The budget step 1 checks against: configured, else cgroup v2, else v1, else MemAvailable.
struct MemoryBudgetTests {
    private let meminfo = "MemTotal:       24000000 kB\nMemAvailable:   1000 kB\n"

    @Test("a configured budget wins over everything")
    func configuredWins() throws {
        let root = try TemporaryFolder()
        defer { root.remove() }
        try root.write("proc/self/cgroup", "0::/pod\n")
        try root.write("cg/pod/memory.max", "5000\n")
        let budget = MemoryBudget.resolve(configuredBytes: 42, procRoot: root.path + "/proc", cgroupRoot: root.path + "/cg")
        #expect(budget == MemoryBudget(bytes: 42, source: .configured))
    }

    @Test("the cgroup v2 memory.max of this process's cgroup is used when it is not max")
    func cgroupV2Limit() throws {
        let root = try TemporaryFolder()
        defer { root.remove() }
        try root.write("proc/self/cgroup", "0::/pod\n")
        try root.write("proc/meminfo", meminfo)
        try root.write("cg/pod/memory.max", "5000\n")
        #expect(MemoryBudget.resolve(configuredBytes: 0, procRoot: root.path + "/proc", cgroupRoot: root.path + "/cg")
            == MemoryBudget(bytes: 5000, source: .cgroupV2))
        try root.write("cg/pod/memory.max", "max\n")
        #expect(MemoryBudget.resolve(configuredBytes: nil, procRoot: root.path + "/proc", cgroupRoot: root.path + "/cg")
            == MemoryBudget(bytes: 1000 * 1024, source: .memAvailable))
    }

    @Test("a cgroup v1 limit is used unless it is v1's huge no-limit value")
    func cgroupV1Limit() throws {
        let root = try TemporaryFolder()
        defer { root.remove() }
        try root.write("proc/self/cgroup", "5:cpu,cpuacct:/x\n4:memory:/x\n")
        try root.write("proc/meminfo", meminfo)
        try root.write("cg/memory/x/memory.limit_in_bytes", "7000\n")
        #expect(MemoryBudget.resolve(configuredBytes: nil, procRoot: root.path + "/proc", cgroupRoot: root.path + "/cg")
            == MemoryBudget(bytes: 7000, source: .cgroupV1))
        try root.write("cg/memory/x/memory.limit_in_bytes", "9223372036854771712\n")
        #expect(MemoryBudget.resolve(configuredBytes: nil, procRoot: root.path + "/proc", cgroupRoot: root.path + "/cg").source
            == .memAvailable)
    }

    @Test("on this machine some budget above zero is found")
    func realMachineHasBudget() {
        #expect(MemoryBudget.resolve(configuredBytes: nil).bytes > 0)
    }
}
