import Foundation
@testable import ModelServer
import Testing
import TestSupport

/// Readiness and the model API over a real socket, with the real loader steps running on
/// crafted model files (DESIGN §1.1, §1.5).
@Suite(.serialized)
struct ModelRoutesTests {
    @Test("readyz answers 425 with Retry-After and a step that only moves forward, then 200")
    func readinessMovesFrom425To200() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("slow", weightBytes: 1 << 20)
        try await withHarness(repository, adjust: { $0.maxReadBytesPerSecond = 2 << 20 }) { harness async throws in
            let seen = try await harness.poll("/readyz") { $0.status == 200 }
            let loading = seen.filter { $0.status == 425 }
            #expect(!loading.isEmpty)
            for response in loading {
                #expect(Int(response.header("Retry-After") ?? "") ?? 0 >= 1)
                #expect(json(response)["status"] as? String == "loading")
            }
            let steps = loading.compactMap { (json($0)["models"] as? [[String: Any]])?.first?["step"] as? Int }
            #expect(steps == steps.sorted())
            let ready = try #require(seen.last)
            #expect(json(ready)["ready"] as? Bool == true)
        }
    }

    @Test("a cancel turns readiness into 503 naming the model, and a new load makes it 200")
    func cancelThenLoadAgain() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("big", weightBytes: 8 << 20)
        try await withHarness(repository, adjust: { $0.maxReadBytesPerSecond = 1 << 20 }) { harness async throws in
            try await harness.poll("/v1/models/big") { (json($0)["step"] as? Int ?? 0) >= 5 }
            #expect(try await harness.request("POST", "/v1/models/big/cancel").status == 202)
            let unavailable = try await harness.request("GET", "/readyz")
            #expect(unavailable.status == 503)
            let model = try #require((json(unavailable)["models"] as? [[String: Any]])?.first)
            #expect(model["state"] as? String == "cancelled")
            #expect(try await harness.request("POST", "/v1/models/big/cancel").status == 409)
            let load = try await harness.request("POST", "/v1/models/big/load")
            #expect(load.status == 202)
            #expect(load.header("Location") == "/v1/models/big")
            #expect(try await harness.request("POST", "/v1/models/big/load").status == 202)
            try await harness.poll("/v1/models/big/ready") { $0.status == 200 }
            #expect(try await harness.request("POST", "/v1/models/big/load").status == 200)
        }
    }

    @Test("a truncated weights file fails at step 4 and readyz's 503 says where and why")
    func truncatedModelFailsAtStep4() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("broken", weightBytes: 4096, truncateBy: 100)
        try repository.addModel("fine", weightBytes: 4096, required: false)
        try await withHarness(repository) { harness async throws in
            let seen = try await harness.poll("/readyz") { $0.status == 503 }
            let last = try #require(seen.last)
            let models = try #require(json(last)["models"] as? [[String: Any]])
            let broken = try #require(models.first { $0["id"] as? String == "broken" })
            let error = try #require(broken["error"] as? [String: Any])
            #expect(error["step"] as? Int == 4)
            #expect(error["code"] as? String == "file_truncated")
            try await harness.poll("/v1/models/fine/ready") { $0.status == 200 }
        }
    }

    @Test("unknown models get 404 with a JSON code; unload works once")
    func unknownModelAndUnload() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("small", weightBytes: 64)
        try await withHarness(repository) { harness async throws in
            let missing = try await harness.request("GET", "/v1/models/nope")
            #expect(missing.status == 404)
            #expect(missing.text.contains(#""code":"model_not_found""#))
            #expect(try await harness.request("GET", "/v1/models/nope/ready").status == 404)
            try await harness.poll("/v1/models/small/ready") { $0.status == 200 }
            #expect(try await harness.request("POST", "/v1/models/small/unload").status == 200)
            #expect(try await harness.request("POST", "/v1/models/small/unload").status == 409)
            #expect(try await harness.request("GET", "/readyz").status == 503)
        }
    }

    @Test("--not-ready-status 503 turns 425 into 503 with the same Retry-After")
    func notReadyStatus503() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("slow", weightBytes: 2 << 20)
        try await withHarness(repository, adjust: { $0.maxReadBytesPerSecond = 1 << 20; $0.notReadyStatus = 503 }) { harness async throws in
            let response = try await harness.request("GET", "/readyz")
            #expect(response.status == 503)
            #expect(response.header("Retry-After") != nil)
            #expect(json(response)["status"] as? String == "loading")
        }
    }

    @Test("with an admin token, commands need it: 401 without, 403 wrong, 202 right")
    func adminTokenGuardsCommands() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("m", weightBytes: 64, load: "on_demand")
        let tokenFile = repository.root + "-token"
        try "s3cret\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        try await withHarness(repository, adjust: { $0.adminTokenFile = tokenFile }) { harness async throws in
            #expect(try await harness.request("POST", "/v1/models/m/load").status == 401)
            #expect(try await harness.request("POST", "/v1/models/m/load", headers: ["Authorization: Bearer nope"]).status == 403)
            #expect(try await harness.request("POST", "/v1/models/m/load", headers: ["Authorization: Bearer s3cret"]).status == 202)
            #expect(try await harness.request("POST", "/v2/repository/models/m/unload").status == 401)
        }
    }

    @Test("with no admin token, every command answers 403 admin_disabled and changes nothing")
    func noTokenTurnsCommandsOff() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("m", weightBytes: 64, load: "on_demand")
        try await withHarness(repository, adminToken: false) { harness async throws in
            for path in ["/v1/models/m/load", "/v1/models/m/cancel", "/v1/models/m/unload", "/v1/rooms/models/messages"] {
                let response = try await harness.request("POST", path, headers: ["Authorization: Bearer guess"], body: "{}")
                #expect(response.status == 403, "\(path)")
                #expect((json(response)["error"] as? [String: Any])?["code"] as? String == "admin_disabled", "\(path)")
            }
            for path in ["/v2/repository/models/m/load", "/v2/repository/models/m/unload"] {
                let response = try await harness.request("POST", path)
                #expect(response.status == 403, "\(path)")
                #expect((json(response)["error"] as? String)?.contains("--admin-token-file") == true, "\(path)")
            }
            let state = try await harness.request("GET", "/v1/models/m")
            #expect(json(state)["state"] as? String == "unloaded")
        }
    }
}
