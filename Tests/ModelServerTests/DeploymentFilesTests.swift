import Foundation
import Testing
import Yams

@testable import ModelServer

/// The shipped systemd units and Kubernetes manifests: they parse, their modeld settings are
/// valid settings, and the timeouts and probes agree with the daemon's defaults.
struct DeploymentFilesTests {
    private static let configDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Config")

    private func text(_ name: String) throws -> String {
        try String(contentsOf: Self.configDirectory.appendingPathComponent(name), encoding: .utf8)
    }

    /// `Key=value` lines of a unit file, in order (repeated keys kept).
    private func unitEntries(_ name: String) throws -> [(key: String, value: String)] {
        try text(name).split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), !line.hasPrefix("["), let equals = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }
    }

    private func values(_ key: String, in entries: [(key: String, value: String)]) -> [String] {
        entries.filter { $0.key == key }.map(\.value)
    }

    @Test("modeld.service runs modeld with valid settings, as a notify-reload service with a watchdog")
    func serviceUnitIsValid() throws {
        let entries = try unitEntries("modeld.service")
        #expect(values("Type", in: entries) == ["notify-reload"])
        #expect(values("WatchdogSec", in: entries) == ["30s"])
        #expect(values("Sockets", in: entries) == ["modeld.socket"])
        #expect(values("Requires", in: entries) == ["modeld.socket"])
        for hardening in ["DynamicUser", "ProtectSystem", "NoNewPrivileges", "PrivateTmp", "PrivateDevices", "ProtectHome"] {
            #expect(["yes", "strict"].contains(values(hardening, in: entries).first), "\(hardening)")
        }
        #expect(values("CapabilityBoundingSet", in: entries) == [""])
        #expect(values("RestrictAddressFamilies", in: entries) == ["AF_UNIX AF_INET AF_INET6"])

        // ExecStart with the unit's environment and specifiers, reading the shipped YAML.
        let command = try #require(values("ExecStart", in: entries).first).split(separator: " ").map(String.init)
        #expect(command.prefix(2) == ["/usr/local/bin/modeld", "serve"])
        let arguments = command.dropFirst(2).map { argument in
            argument.replacingOccurrences(of: "/etc/modeld/modeld.yaml", with: Self.configDirectory.appendingPathComponent("modeld.yaml").path)
                .replacingOccurrences(of: "%d", with: "/run/credentials/modeld.service")
        }
        var environment: [String: String] = [:]
        for assignment in values("Environment", in: entries) {
            let parts = assignment.replacingOccurrences(of: "%S", with: "/var/lib").split(separator: "=", maxSplits: 1)
            environment[String(parts[0])] = String(parts[1])
        }
        let configuration = try Configuration.load(arguments: arguments, environment: environment)
        #expect(configuration.stateDir == "/var/lib/modeld")
        #expect(configuration.adminTokenFile == "/run/credentials/modeld.service/admin-token")
        #expect(values("ReadOnlyPaths", in: entries) == [configuration.modelRepository])

        // systemd must not kill the daemon while it drains.
        let stopSeconds = try #require(values("TimeoutStopSec", in: entries).first.flatMap { Int($0.dropLast()) })
        #expect(Duration.seconds(stopSeconds) > configuration.shutdownTimeout)
    }

    @Test("modeld.socket listens on 8080 under the name http for modeld.service")
    func socketUnitIsValid() throws {
        let entries = try unitEntries("modeld.socket")
        #expect(values("ListenStream", in: entries) == ["8080"])
        #expect(values("FileDescriptorName", in: entries) == ["http"])
        #expect(values("Service", in: entries) == ["modeld.service"])
    }

    @Test("the Deployment probes /livez and /readyz, mounts models read-only and runs with valid settings")
    func deploymentIsValid() throws {
        let deployment = try #require(try Yams.load(yaml: text("kubernetes/deployment.yaml")) as? [String: Any])
        #expect(deployment["kind"] as? String == "Deployment")
        let pod = try #require((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])
        let spec = try #require(pod["spec"] as? [String: Any])
        let container = try #require((spec["containers"] as? [[String: Any]])?.first)

        func probePath(_ name: String) -> String? {
            ((container[name] as? [String: Any])?["httpGet"] as? [String: Any])?["path"] as? String
        }
        #expect(probePath("startupProbe") == "/livez")
        #expect(probePath("livenessProbe") == "/livez")
        #expect(probePath("readinessProbe") == "/readyz")

        let arguments = try #require(container["args"] as? [String])
        #expect(arguments.first == "serve")
        let configuration = try Configuration.load(arguments: Array(arguments.dropFirst()), environment: [:])
        let preStopSeconds = (((container["lifecycle"] as? [String: Any])?["preStop"] as? [String: Any])?["sleep"]
            as? [String: Any])?["seconds"] as? Int ?? 0
        let grace = try #require(spec["terminationGracePeriodSeconds"] as? Int)
        #expect(Duration.seconds(grace - preStopSeconds) > configuration.shutdownTimeout)

        let mounts = try #require(container["volumeMounts"] as? [[String: Any]])
        let modelsMount = try #require(mounts.first { $0["mountPath"] as? String == configuration.modelRepository })
        #expect(modelsMount["readOnly"] as? Bool == true)
        let stateMount = try #require(mounts.first { $0["mountPath"] as? String == configuration.stateDir })
        let volumes = try #require(spec["volumes"] as? [[String: Any]])
        let stateVolume = try #require(volumes.first { $0["name"] as? String == stateMount["name"] as? String })
        #expect(stateVolume["emptyDir"] != nil)
        let modelsVolume = try #require(volumes.first { $0["name"] as? String == modelsMount["name"] as? String })
        #expect((modelsVolume["persistentVolumeClaim"] as? [String: Any])?["readOnly"] as? Bool == true)
        let tokenFile = try #require(configuration.adminTokenFile)
        let tokenMount = try #require(mounts.first { tokenFile.hasPrefix(($0["mountPath"] as? String ?? "?") + "/") })
        #expect(tokenMount["readOnly"] as? Bool == true)

        let security = try #require(container["securityContext"] as? [String: Any])
        #expect(security["readOnlyRootFilesystem"] as? Bool == true)
        #expect(security["allowPrivilegeEscalation"] as? Bool == false)
        #expect((security["capabilities"] as? [String: Any])?["drop"] as? [String] == ["ALL"])
        #expect((spec["securityContext"] as? [String: Any])?["runAsNonRoot"] as? Bool == true)
        let resources = try #require(container["resources"] as? [String: Any])
        #expect(resources["requests"] != nil && resources["limits"] != nil)
    }

    @Test("the Service targets the Deployment's pods on the container's named port")
    func serviceTargetsDeployment() throws {
        let service = try #require(try Yams.load(yaml: text("kubernetes/service.yaml")) as? [String: Any])
        let deployment = try #require(try Yams.load(yaml: text("kubernetes/deployment.yaml")) as? [String: Any])
        #expect(service["kind"] as? String == "Service")
        let serviceSpec = try #require(service["spec"] as? [String: Any])
        let podLabels = (((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])?["metadata"]
            as? [String: Any])?["labels"] as? [String: String]
        #expect(serviceSpec["selector"] as? [String: String] == podLabels)
        let container = try #require(((((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"]
            as? [String: Any])?["containers"] as? [[String: Any]])?.first)
        let portNames = (container["ports"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        let targets = (serviceSpec["ports"] as? [[String: Any]])?.compactMap { $0["targetPort"] as? String } ?? []
        #expect(!targets.isEmpty && targets.allSatisfy(portNames.contains))
    }
}
