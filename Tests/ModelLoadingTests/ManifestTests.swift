import ModelHub
import ModelLoading
import Testing

struct ManifestTests {
    private let digest = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

    private func error(_ yaml: String) -> ModelLoadError? {
        do {
            _ = try ModelManifest.parse(yaml: yaml)
            return nil
        } catch {
            return error
        }
    }

    @Test("DESIGN's example manifest parses into every field")
    func designExampleParses() throws {
        let yaml = """
            runtime: bert-embedding   # which runtime
            required: false
            load: on_demand
            files:
              model.safetensors: { sha256: "\(digest.uppercased())" }
            """
        let manifest = try ModelManifest.parse(yaml: yaml)
        #expect(manifest == ModelManifest(runtime: "bert-embedding", required: false, load: .onDemand,
                                          sha256ByFile: ["model.safetensors": digest]))
    }

    @Test("a manifest with only a runtime gets required true, load startup and no digests")
    func defaultsApply() throws {
        let manifest = try ModelManifest.parse(yaml: "runtime: bert-embedding\n")
        #expect(manifest.required)
        #expect(manifest.load == .startup)
        #expect(manifest.sha256ByFile.isEmpty)
    }

    @Test("an unknown key is manifest_invalid and the message names the key")
    func unknownKeyNamed() {
        let failure = error("runtime: x\nrequird: true\n")
        #expect(failure?.code == "manifest_invalid")
        #expect(failure?.message.contains("'requird'") == true)
    }

    @Test("an unknown field inside a files entry names its full key")
    func unknownFileFieldNamed() {
        let failure = error("runtime: x\nfiles:\n  a.bin: {md5: abc}\n")
        #expect(failure?.message.contains("files.a.bin.md5") == true)
    }

    @Test("each invalid value is an error naming the key and the value",
          arguments: [
            ("runtime: x\nrequired: maybe\n", "required", "maybe"),
            ("runtime: x\nload: lazily\n", "load", "lazily"),
            ("runtime: x\nfiles: [a]\n", "files", "a list"),
            ("runtime: x\nfiles:\n  m.bin: {sha256: 1234}\n", "files.m.bin.sha256", "1234"),
            ("runtime: x\nfiles:\n  ../escape: {sha256: 1234}\n", "files", "../escape"),
            ("runtime: x\nfiles:\n  .: {sha256: 1234}\n", "files", "."),
            ("runtime: x\nfiles:\n  a//b: {sha256: 1234}\n", "files", "a//b"),
            ("runtime: x\nfiles:\n  a/./b: {sha256: 1234}\n", "files", "a/./b"),
            // "/" and a combining mark are one Character: the check must see the slash.
            ("runtime: x\nfiles:\n  \"/\u{0300}etc/passwd\": {sha256: 1234}\n", "files", "/\u{0300}etc/passwd"),
            ("runtime: x\nfiles:\n  \"a/\u{0300}/../../b\": {sha256: 1234}\n", "files", "a/\u{0300}/../../b"),
            ("runtime: [a, b]\n", "runtime", "a list"),
          ])
    func invalidValueNamed(yaml: String, key: String, value: String) {
        let failure = error(yaml)
        #expect(failure?.code == "manifest_invalid")
        #expect(failure?.message.contains("'\(key)'") == true, "\(failure?.message ?? "no error")")
        #expect(failure?.message.contains("'\(value)'") == true, "\(failure?.message ?? "no error")")
    }

    @Test("a files entry without its sha256 is rejected, naming the entry (found by scripts/fuzz model-yaml)",
          arguments: ["runtime: x\nfiles:\n  a.bin: {}\n", "runtime: x\nfiles:\n  a.bin: {}\n  b.bin: {sha256: \(String(repeating: "a", count: 64))}\n"])
    func fileEntryWithoutDigestRejected(yaml: String) {
        let failure = error(yaml)
        #expect(failure?.code == "manifest_invalid")
        #expect(failure?.message.contains("'files.a.bin' has no sha256") == true, "\(failure?.message ?? "no error")")
    }

    @Test("a manifest without runtime, a repeated key, a non-mapping or broken YAML is rejected",
          arguments: ["required: true\n", "runtime: a\nruntime: b\n", "- runtime\n", "runtime: [unclosed\n", ""])
    func malformedRejected(yaml: String) {
        #expect(error(yaml)?.code == "manifest_invalid")
    }

    @Test("source: hf://ORG/NAME[@REV] names the hub model to fetch")
    func sourceParses() throws {
        let manifest = try ModelManifest.parse(yaml: "runtime: bert-embedding\nsource: hf://org/name@v1\n")
        #expect(manifest.source == (try HubReference(organization: "org", name: "name", revision: "v1")))
        #expect(try ModelManifest.parse(yaml: "runtime: x\n").source == nil)
    }

    @Test("a source that is not hf://ORG/NAME[@REV] is rejected, naming the key",
          arguments: ["runtime: x\nsource: org/name\n", "runtime: x\nsource: hf://../x\n", "runtime: x\nsource: [a]\n"])
    func badSourceRejected(yaml: String) {
        let failure = error(yaml)
        #expect(failure?.code == "manifest_invalid")
        #expect(failure?.message.contains("'source'") == true, "\(failure?.message ?? "no error")")
    }
}
