import Foundation
import ModelLoading
@testable import ModelServer
import Testing

/// The difference between two scans of the model repository, which decides what a
/// `SIGHUP` registers, removes and leaves alone.
struct ModelRepositoryDiffTests {
    private func model(_ id: String, required: Bool = true, files: [String: FileIdentity] = [:]) -> RepositoryModel {
        RepositoryModel(descriptor: ModelDescriptor(id: id, directory: "/repo/" + id,
                                                    manifest: ModelManifest(runtime: "fixture", required: required)),
                        files: files)
    }

    private let weights = FileIdentity(size: 4096, mtimeNanoseconds: 1_000, inode: 7)

    @Test("ids only in the new scan are added, only in the old removed, the rest unchanged")
    func addedRemovedUnchanged() {
        let diff = ModelRepositoryDiff(old: [model("a"), model("b")], new: [model("c"), model("b")])
        #expect(diff == ModelRepositoryDiff(added: ["c"], removed: ["a"], changed: [], unchanged: ["b"]))
    }

    @Test("a different manifest, or a file added, replaced or rewritten, makes a model changed")
    func manifestOrFilesChange() {
        let old = [model("m", files: ["model.safetensors": weights]), model("n", files: ["model.safetensors": weights]),
                   model("o", files: ["model.safetensors": weights]), model("p", files: ["model.safetensors": weights])]
        var rewritten = weights
        rewritten.mtimeNanoseconds += 1
        var replaced = weights
        replaced.inode += 1
        let new = [model("m", required: false, files: ["model.safetensors": weights]),
                   model("n", files: ["model.safetensors": rewritten]),
                   model("o", files: ["model.safetensors": replaced]),
                   model("p", files: ["model.safetensors": weights, "vocab.txt": weights])]
        let diff = ModelRepositoryDiff(old: old, new: new)
        #expect(diff.changed == ["m", "n", "o", "p"])
        #expect(diff.added.isEmpty && diff.removed.isEmpty && diff.unchanged.isEmpty)
    }

    @Test("two scans of an untouched folder agree, and rewriting a file is seen")
    func scansOfRealFolders() throws {
        let repository = try FixtureRepository()
        try repository.addModel("alpha", weightBytes: 64)
        try repository.addModel("beta", weightBytes: 64)
        let first = try scan(repository)
        #expect(first.first?.files.keys.sorted() == ["model.safetensors", "model.yaml"])
        #expect(ModelRepositoryDiff(old: first, new: try scan(repository)).unchanged == ["alpha", "beta"])

        try repository.addModel("beta", weightBytes: 128)
        try FileManager.default.removeItem(atPath: repository.root + "/alpha")
        try repository.addModel("gamma", weightBytes: 64)
        let diff = ModelRepositoryDiff(old: first, new: try scan(repository))
        #expect(diff == ModelRepositoryDiff(added: ["gamma"], removed: ["alpha"], changed: ["beta"], unchanged: []))
    }

    private func scan(_ repository: FixtureRepository) throws -> [RepositoryModel] {
        try ModelRepository.scan(directory: repository.root, runtimes: ["fixture": FixtureRuntime()])
            .models.map(RepositoryModel.scanned)
    }
}
