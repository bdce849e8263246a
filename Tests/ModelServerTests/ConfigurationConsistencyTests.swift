import Foundation
import WebSocket
import Testing

@testable import ModelServer

/// Settings that must agree with each other: the outbound soft limit below the hard one.
struct ConfigurationConsistencyTests {
    private func load(_ arguments: [String], environment: [String: String] = [:]) throws -> Configuration {
        try Configuration.load(arguments: arguments, environment: environment)
    }

    private func problem(_ arguments: [String], environment: [String: String] = [:]) -> (key: String, source: ConfigurationSource)? {
        do throws(ConfigurationError) {
            _ = try Configuration.load(arguments: arguments, environment: environment)
            return nil
        } catch {
            guard case .invalidValue(let key, let source, let problem) = error else { return nil }
            #expect(problem.contains("websocket.outbound-"))
            return (key, source)
        }
    }

    @Test("a soft limit below the hard one loads, at the edge too")
    func orderedLimitsLoad() throws {
        let configuration = try load(["--websocket-outbound-soft-bytes", "4194303"])
        #expect(configuration.outboundLimits.softBytes == 4_194_303)
        #expect(try load(["--websocket-outbound-hard-bytes", "262145"]).outboundLimits.hardBytes == 262_145)
    }

    @Test("a soft limit at or past the default hard limit names the soft key and its flag")
    func softPastDefaultHard() {
        for soft in ["4194304", "8388608"] {
            let found = problem(["--websocket-outbound-soft-bytes", soft])
            #expect(found?.key == "websocket.outbound-soft-bytes")
            #expect(found?.source == .flag("--websocket-outbound-soft-bytes"))
        }
    }

    @Test("a hard limit lowered under the default soft limit names the hard key and where it came from")
    func hardUnderDefaultSoft() {
        let found = problem([], environment: ["MODELD_WEBSOCKET_OUTBOUND_HARD_BYTES": "1000"])
        #expect(found?.key == "websocket.outbound-hard-bytes")
        #expect(found?.source == .environment(name: "MODELD_WEBSOCKET_OUTBOUND_HARD_BYTES"))
    }

    @Test("when both are set, the one from the later layer is named")
    func laterLayerIsNamed() {
        let environment = ["MODELD_WEBSOCKET_OUTBOUND_SOFT_BYTES": "5000"]
        let byFlag = problem(["--websocket-outbound-hard-bytes", "4000"], environment: environment)
        #expect(byFlag?.key == "websocket.outbound-hard-bytes")
        let sameLayer = problem(["--websocket-outbound-hard-bytes", "4000", "--websocket-outbound-soft-bytes", "5000"])
        #expect(sameLayer?.key == "websocket.outbound-soft-bytes")
    }
}
