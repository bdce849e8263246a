import Foundation
@testable import ModelServer
import Testing
import TestSupport

/// The Open Inference Protocol and Triton repository endpoints (wire shapes).
@Suite(.serialized)
struct TritonRoutesTests {
    @Test("the index lists Triton states, and load answers only once the load finished")
    func indexAndBlockingLoad() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("m", weightBytes: 1 << 20, load: "on_demand")
        try await withHarness(repository, adjust: { $0.maxReadBytesPerSecond = 4 << 20 }) { harness async throws in
            let before = try harness.request("POST", "/v2/repository/index")
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(before.body)) as? [[String: Any]])
            #expect(entries.first?["state"] as? String == "UNAVAILABLE")
            #expect(entries.first?["version"] as? String == "1")
            let load = try harness.request("POST", "/v2/repository/models/m/load")
            #expect(load.status == 200)
            #expect(try harness.request("GET", "/v2/models/m/ready").status == 200)
            let after = try harness.request("POST", "/v2/repository/index", body: #"{"ready":true}"#)
            let ready = try #require(try JSONSerialization.jsonObject(with: Data(after.body)) as? [[String: Any]])
            #expect(ready.map { $0["state"] as? String } == ["READY"])
            #expect(try harness.request("POST", "/v2/repository/models/m/unload").status == 200)
        }
    }

    @Test("a failing load answers 400 with the OIP error shape naming the failure")
    func failingLoadIs400() async throws {
        let repository = try FixtureRepository()
        try repository.addModel("bad", weightBytes: 4096, load: "on_demand", truncateBy: 10)
        try await withHarness(repository) { harness async throws in
            let response = try harness.request("POST", "/v2/repository/models/bad/load")
            #expect(response.status == 400)
            let message = try #require(json(response)["error"] as? String)
            #expect(message.contains("file_truncated"))
            #expect(try harness.request("POST", "/v2/repository/models/nope/load").status == 400)
        }
    }

    @Test("server metadata names the model_repository extension")
    func serverMetadata() async throws {
        let repository = try FixtureRepository()
        try await withHarness(repository) { harness async throws in
            let response = try harness.request("GET", "/v2")
            #expect((json(response)["extensions"] as? [String]) == ["model_repository"])
            #expect(try harness.request("GET", "/v2/health/ready").status == 200)
        }
    }
}
