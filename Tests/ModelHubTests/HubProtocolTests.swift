import Foundation
import ModelHub
import Testing

/// The pure parts of the hub protocol: URLs, JSON answers, status mapping, backoff, layout.
struct HubProtocolTests {
    private let reference = try! HubReference(parsing: "hf://org/name@refs/pr/1")
    private let commit = "0123456789abcdef0123456789abcdef01234567"

    @Test("URLs escape the revision (slash too) and file paths (slash kept)")
    func urls() {
        let client = HubClient(settings: HubSettings(endpoint: "http://h:1/", token: nil, offline: false, cacheDirectory: "/c"))
        #expect(client.revisionURL(reference) == "http://h:1/api/models/org/name/revision/refs%2Fpr%2F1")
        #expect(client.treeURL(reference, commit: commit) == "http://h:1/api/models/org/name/tree/\(commit)?recursive=true")
        #expect(client.resolveURL(reference, commit: commit, file: "1_Pooling/a b.json")
            == "http://h:1/org/name/resolve/\(commit)/1_Pooling/a%20b.json")
    }

    @Test("the revision answer gives the commit; a missing or short sha is an error")
    func revisionAnswer() throws {
        let json = #"{"id":"org/name","sha":"\#(commit)","siblings":[{"rfilename":"config.json"}]}"#
        #expect(try HubRepositoryInfo.parseCommit(revisionJSON: Array(json.utf8)) == commit)
        #expect(throws: HubError.self) { try HubRepositoryInfo.parseCommit(revisionJSON: Array(#"{"sha":"abc"}"#.utf8)) }
        #expect(throws: HubError.self) { try HubRepositoryInfo.parseCommit(revisionJSON: Array("not json".utf8)) }
    }

    @Test("the tree answer gives sizes, ETags (lfs.oid for large files) and skips directories")
    func treeAnswer() throws {
        let sha = String(repeating: "5", count: 64)
        let json = """
            [{"type":"directory","oid":"d","path":"1_Pooling"},
             {"type":"file","oid":"aaaa","size":190,"path":"1_Pooling/config.json"},
             {"type":"file","oid":"bbbb","size":90868376,"path":"model.safetensors",
              "lfs":{"oid":"\(sha)","size":90868376,"pointerSize":134}}]
            """
        let files = try HubRepositoryInfo.parseFiles(treeJSON: Array(json.utf8))
        #expect(files == [
            HubFile(path: "1_Pooling/config.json", size: 190, etag: "aaaa", sha256: nil),
            HubFile(path: "model.safetensors", size: 90868376, etag: sha, sha256: sha),
        ])
    }

    @Test("tree entries that would escape the snapshot folder or the blobs folder are refused", arguments: [
        #"[{"type":"file","oid":"aa","size":1,"path":"../x"}]"#,
        #"[{"type":"file","oid":"aa","size":1,"path":"/etc/passwd"}]"#,
        #"[{"type":"file","oid":"aa","size":1,"path":"a//b"}]"#,
        #"[{"type":"file","oid":"../aa","size":1,"path":"a"}]"#,
        #"[{"type":"file","oid":"aa","size":1,"path":"a","lfs":{"oid":"x/y"}}]"#,
        #"[{"type":"file","oid":"aa","path":"a"}]"#,
        #"[{"type":"file","oid":"aa","size":1.5,"path":"a"}]"#,
        "[{\"type\":\"file\",\"oid\":\"aa\",\"size\":1,\"path\":\"../\u{301}x\"}]",
        "[{\"type\":\"file\",\"oid\":\"aa\",\"size\":1,\"path\":\"a/..\"}]",
        #"[{"type":"file","oid":"aa","size":-1,"path":"a"}]"#,
        #"[{"type":"file","oid":"aa","size":1e300,"path":"a"}]"#,
    ])
    func unsafeEntries(json: String) {
        #expect(throws: HubError.self) { try HubRepositoryInfo.parseFiles(treeJSON: Array(json.utf8)) }
    }

    @Test("only files modeld serves from are fetched")
    func neededFiles() {
        for path in ["config.json", "model.safetensors", "vocab.txt", "1_Pooling/config.json", "spiece.model", "tokenizer.json"] {
            #expect(HubFile.isNeeded(path: path), "\(path)")
        }
        for path in ["pytorch_model.bin", "onnx/model.onnx", "onnx/config.json", "tf_model.h5", "README.md", ".gitattributes"] {
            #expect(!HubFile.isNeeded(path: path), "\(path)")
        }
    }

    @Test("statuses map to codes; only 408, 429 and 5xx are retried")
    func statuses() {
        #expect(HubClient.classify(status: 200, url: "u") == nil)
        #expect(HubClient.classify(status: 206, url: "u") == nil)
        #expect(HubClient.classify(status: 401, url: "u")?.code == "hub_unauthorized")
        #expect(HubClient.classify(status: 403, url: "u")?.code == "hub_unauthorized")
        #expect(HubClient.classify(status: 404, url: "u")?.code == "hub_not_found")
        #expect(HubClient.classify(status: 500, url: "u")?.code == "download_failed")
        #expect(HubClient.isTransient(status: 503) && HubClient.isTransient(status: 429) && HubClient.isTransient(status: 408))
        #expect(!HubClient.isTransient(status: 404) && !HubClient.isTransient(status: 400))
    }

    @Test("backoff doubles from the first delay and stops at 8 s")
    func backoff() {
        let first = Duration.milliseconds(500)
        #expect(HubClient.backoff(attempt: 1, first: first) == .milliseconds(500))
        #expect(HubClient.backoff(attempt: 3, first: first) == .seconds(2))
        #expect(HubClient.backoff(attempt: 10, first: first) == .seconds(8))
    }

    @Test("the cache layout is huggingface_hub's")
    func layout() {
        let layout = HubCacheLayout(root: "/c", reference: reference)
        #expect(layout.repositoryFolder == "/c/models--org--name")
        #expect(layout.blob(etag: "e") == "/c/models--org--name/blobs/e")
        #expect(layout.incompleteBlob(etag: "e") == "/c/models--org--name/blobs/e.incomplete")
        #expect(layout.lock(etag: "e") == "/c/.locks/models--org--name/e.lock")
        #expect(layout.snapshotFolder(commit: commit) == "/c/models--org--name/snapshots/\(commit)")
        #expect(layout.ref("refs/pr/1") == "/c/models--org--name/refs/refs/pr/1")
        #expect(HubCacheLayout.relativeBlobTarget(file: "config.json", etag: "e") == "../../blobs/e")
        #expect(HubCacheLayout.relativeBlobTarget(file: "1_Pooling/config.json", etag: "e") == "../../../blobs/e")
        // a combining mark after "/" does not hide the sub-folder from the link's depth
        #expect(HubCacheLayout.relativeBlobTarget(file: "a/\u{301}b.json", etag: "e") == "../../../blobs/e")
    }

    @Test("refs and links are written so the cache answers offline")
    func refsAndLinks() throws {
        let root = NSTemporaryDirectory() + "modeld-hub-layout-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let layout = HubCacheLayout(root: root, reference: try HubReference(parsing: "hf://org/name"))
        #expect(layout.cachedCommit() == nil)
        try layout.writeRef(commit: commit)
        #expect(layout.cachedCommit() == commit)
        try FileManager.default.createDirectory(atPath: layout.repositoryFolder + "/blobs", withIntermediateDirectories: true)
        try "x".write(toFile: layout.blob(etag: "e1"), atomically: true, encoding: .utf8)
        try layout.link(file: "1_Pooling/config.json", commit: commit, etag: "e1")
        try layout.link(file: "1_Pooling/config.json", commit: commit, etag: "e1")
        let linked = layout.snapshotFolder(commit: commit) + "/1_Pooling/config.json"
        #expect(try String(contentsOfFile: linked, encoding: .utf8) == "x")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: linked) == "../../../blobs/e1")
        #expect((layout.availableBytes() ?? 0) > 0)
    }
}
