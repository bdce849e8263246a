import ModelHub
import Testing

/// `hf://ORG/NAME[@REV]` parses into its parts, and ids that could escape the cache are refused.
struct HubReferenceTests {
    @Test("a reference without a revision means main")
    func defaultRevision() throws {
        let reference = try HubReference(parsing: "hf://sentence-transformers/all-MiniLM-L6-v2")
        #expect(reference.organization == "sentence-transformers")
        #expect(reference.name == "all-MiniLM-L6-v2")
        #expect(reference.revision == "main")
        #expect(!reference.revisionIsCommit)
        #expect(reference.description == "hf://sentence-transformers/all-MiniLM-L6-v2@main")
    }

    @Test("branches with slashes, tags and commits are kept as given")
    func revisions() throws {
        #expect(try HubReference(parsing: "hf://a/b@refs/pr/1").revision == "refs/pr/1")
        #expect(try HubReference(parsing: "hf://a/b@v1.0").revision == "v1.0")
        let commit = String(repeating: "ab", count: 20)
        #expect(try HubReference(parsing: "hf://a/b@\(commit)").revisionIsCommit)
        #expect(!HubReference.isCommitHash(String(repeating: "AB", count: 20)))
    }

    @Test("bad ids are refused with invalid_reference", arguments: [
        "sentence-transformers/all-MiniLM-L6-v2", "hf://", "hf://onlyname", "hf://a/b/c", "hf:///b",
        "hf://a/", "hf://../b", "hf://a/..", "hf://a--b/c", "hf://-a/b", "hf://a/b.", "hf://a b/c",
        "hf://a/b@", "hf://a/b@../../etc", "hf://a/b@x y", "hf://a/b@/abs", "https://a/b",
        "hf://a/\u{301}b", "hf://a/b@x/..", "hf://a/b@../\u{301}x", "hf://a\u{301}/b",
    ])
    func badIDs(text: String) {
        #expect(throws: HubError.self) { try HubReference(parsing: text) }
        do {
            _ = try HubReference(parsing: text)
        } catch {
            #expect(error.code == "invalid_reference")
        }
    }
}
