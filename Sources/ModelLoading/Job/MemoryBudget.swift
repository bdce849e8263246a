import Foundation

/// How many bytes loaded models may hold (`--memory-budget`, DESIGN §1.7), and where that
/// number came from.
///
/// Precedence, first that applies:
/// 1. the configured value (`--memory-budget BYTES`, when above 0);
/// 2. the cgroup v2 `memory.max` of this process's cgroup, when it is not `max`;
/// 3. the cgroup v1 `memory.limit_in_bytes`, when it is below 2^60 (v1 writes a near-2^63
///    number for "no limit");
/// 4. `MemAvailable` from `/proc/meminfo`: what the kernel says can be had without swapping.
///
/// A container's limit comes first because the kernel kills a process that exceeds it, even
/// when the host has memory to spare; a load that would not fit should instead fail at step 1
/// with `insufficient_memory`.
public struct MemoryBudget: Sendable, Equatable {
    /// Where the budget came from.
    public enum Source: String, Sendable {
        case configured
        case cgroupV2 = "cgroup_v2"
        case cgroupV1 = "cgroup_v1"
        case memAvailable = "mem_available"
        /// Nothing could be read; the budget is unlimited (`Int.max`).
        case unknown
    }

    /// The budget in bytes.
    public var bytes: Int
    /// Which rule of the precedence gave it.
    public var source: Source

    public init(bytes: Int, source: Source) {
        self.bytes = bytes
        self.source = source
    }

    /// v1 reports "no limit" as a page-rounded 2^63 - 1; anything this large is no limit.
    static let cgroupV1Unlimited = 1 << 60

    /// Resolves the budget by the precedence above.
    ///
    /// - Parameters:
    ///   - configuredBytes: the configured budget; 0 or `nil` means "not configured".
    ///   - procRoot: where procfs is mounted (tests point it at a fixture folder).
    ///   - cgroupRoot: where the cgroup file system is mounted.
    public static func resolve(
        configuredBytes: Int?, procRoot: String = "/proc", cgroupRoot: String = "/sys/fs/cgroup"
    ) -> MemoryBudget {
        if let configuredBytes, configuredBytes > 0 { return MemoryBudget(bytes: configuredBytes, source: .configured) }
        let membership = readText(procRoot + "/self/cgroup") ?? ""
        for line in membership.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = String(fields[2])
            if fields[0] == "0", fields[1].isEmpty,
               let limit = firstNumber(in: [cgroupRoot + path + "/memory.max", cgroupRoot + "/memory.max"]) {
                return MemoryBudget(bytes: limit, source: .cgroupV2)
            }
            if fields[1].split(separator: ",").contains("memory"),
               let limit = firstNumber(in: [cgroupRoot + "/memory" + path + "/memory.limit_in_bytes",
                                            cgroupRoot + "/memory/memory.limit_in_bytes"]),
               limit < cgroupV1Unlimited {
                return MemoryBudget(bytes: limit, source: .cgroupV1)
            }
        }
        if let available = memAvailable(readText(procRoot + "/meminfo") ?? "") {
            return MemoryBudget(bytes: available, source: .memAvailable)
        }
        return MemoryBudget(bytes: Int.max, source: .unknown)
    }

    /// The `MemAvailable:` line of `/proc/meminfo`, in bytes (the file gives kB).
    static func memAvailable(_ meminfo: String) -> Int? {
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let words = line.split(separator: " ")
            guard words.count >= 2, let kibibytes = Int(words[1]) else { return nil }
            return kibibytes * 1024
        }
        return nil
    }

    /// The number in the first of `paths` that exists; `nil` if none does or it says `max`.
    private static func firstNumber(in paths: [String]) -> Int? {
        for path in paths {
            guard let text = readText(path) else { continue }
            return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return nil
    }

    private static func readText(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }
}
