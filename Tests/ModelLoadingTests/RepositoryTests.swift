import ModelLoading
import ModelRuntime
import Testing

struct RepositoryTests {
    private let runtimes: [String: any ModelRuntimeFactory] = ["fake-embedding": FakeRuntimeFactory()]

    @Test("each sub-folder with a manifest becomes a model whose id is the folder name")
    func foldersBecomeModels() throws {
        let repo = try TemporaryFolder()
        defer { repo.remove() }
        try repo.write("beta/model.yaml", "runtime: fake-embedding\nload: on_demand\n")
        try repo.write("alpha.v1_x-2/model.yaml", "runtime: other\n")
        try repo.write("README.md", "not a model")
        try repo.write(".hidden/model.yaml", "runtime: fake-embedding\n")

        let scan = try ModelRepository.scan(directory: repo.path, runtimes: runtimes)
        #expect(scan.models.map(\.id) == ["alpha.v1_x-2", "beta"])
        #expect(scan.model(id: "beta")?.manifest.load == .onDemand)
        #expect(scan.model(id: "beta")?.directory.hasSuffix("/beta") == true)
        #expect(scan.problems.isEmpty)
    }

    @Test("a folder without a manifest that a runtime recognises gets that runtime and the defaults")
    func recognisedFolderGetsDefaults() throws {
        let repo = try TemporaryFolder()
        defer { repo.remove() }
        try repo.write("hub-download/fake-config.json", "{}")
        try repo.write("unknown-layout/weights.bin", "x")

        let scan = try ModelRepository.scan(directory: repo.path, runtimes: runtimes)
        #expect(scan.models.map(\.manifest) == [ModelManifest(runtime: "fake-embedding")])
        #expect(scan.problems.map(\.folder) == ["unknown-layout"])
        #expect(scan.problems.first?.error.code == "model_not_recognized")
    }

    @Test("bad ids and bad manifests are listed as problems while the good models are still offered")
    func problemsDoNotStopScan() throws {
        let repo = try TemporaryFolder()
        defer { repo.remove() }
        try repo.write("good/model.yaml", "runtime: fake-embedding\n")
        try repo.write("-dash-first/model.yaml", "runtime: fake-embedding\n")
        try repo.write("has space/model.yaml", "runtime: fake-embedding\n")
        try repo.write("typo/model.yaml", "runtim: fake-embedding\n")

        let scan = try ModelRepository.scan(directory: repo.path, runtimes: runtimes)
        #expect(scan.models.map(\.id) == ["good"])
        let codes = Dictionary(uniqueKeysWithValues: scan.problems.map { ($0.folder, $0.error.code) })
        #expect(codes == ["-dash-first": "invalid_model_id", "has space": "invalid_model_id", "typo": "manifest_invalid"])
    }

    @Test("model ids follow [A-Za-z0-9][A-Za-z0-9._-]{0,127}")
    func idRule() {
        #expect(ModelRepository.isValidID("minilm"))
        #expect(ModelRepository.isValidID("A"))
        #expect(ModelRepository.isValidID("m" + String(repeating: "x", count: 127)))
        #expect(!ModelRepository.isValidID("m" + String(repeating: "x", count: 128)))
        #expect(!ModelRepository.isValidID(""))
        #expect(!ModelRepository.isValidID(".hidden"))
        #expect(!ModelRepository.isValidID("_x"))
        #expect(!ModelRepository.isValidID("a/b"))
        #expect(!ModelRepository.isValidID("modèle"))
    }

    @Test("a missing repository folder is repository_not_found")
    func missingRepository() throws {
        let repo = try TemporaryFolder()
        defer { repo.remove() }
        let error = #expect(throws: ModelLoadError.self) {
            try ModelRepository.scan(directory: repo.path + "/nope", runtimes: runtimes)
        }
        #expect(error?.code == "repository_not_found")
    }
}
