import ModelHub
import ModelLoading
import Testing

/// `files: {NAME: {url, sha256}}`: weights fetched from a URL at step 3.
struct ManifestURLFileTests {
    private let digest = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

    private func failure(_ yaml: String) -> ModelLoadError? {
        do {
            _ = try ModelManifest.parse(yaml: yaml)
            return nil
        } catch {
            return error
        }
    }

    @Test("an https url and its sha256 parse, in either order; plain http to loopback is accepted",
          arguments: ["https://cdn.example.org/m/model.safetensors?sig=a%2Fb", "http://127.0.0.1:8080/x.safetensors",
                      "http://localhost/x", "http://[::1]:9/x", "HTTPS://Example.org:443/x"])
    func urlParses(url: String) throws {
        let manifest = try ModelManifest.parse(yaml: """
            runtime: bert-embedding
            files:
              model.safetensors: {url: "\(url)", sha256: \(digest.uppercased())}
            """)
        #expect(manifest.urlByFile == ["model.safetensors": url])
        #expect(manifest.sha256ByFile == ["model.safetensors": digest])
        #expect(manifest.source == nil)
    }

    @Test("a url without its sha256 is rejected: it would verify nothing")
    func urlNeedsDigest() {
        let error = failure("runtime: x\nfiles:\n  model.safetensors: {url: https://a.org/m}\n")
        #expect(error?.code == "manifest_invalid")
        #expect(error?.message.contains("files.model.safetensors") == true && error?.message.contains("sha256") == true)
    }

    @Test("a bad url is rejected naming the key, the value and why",
          arguments: [
            ("http://example.org/m.safetensors", "loopback"),
            ("http://127.0.0.1.evil.org/m", "loopback"),
            ("http://128.0.0.1/m", "loopback"),
            ("ftp://a.org/m", "https://"),
            ("file:///etc/passwd", "https://"),
            ("https://user:pw@a.org/m", "password"),
            ("https://a.org/m#x", "fragment"),
            ("https://a.org", "path"),
            ("https:///m", "host"),
            ("https://a.org:port/m", "host"),
            ("https://a.org/a b", "printable"),
          ])
    func badURLRejected(url: String, why: String) {
        let error = failure("runtime: x\nfiles:\n  m.safetensors: {url: \"\(url)\", sha256: \(digest)}\n")
        #expect(error?.code == "manifest_invalid")
        #expect(error?.message.contains("files.m.safetensors.url") == true, "\(error?.message ?? "accepted")")
        #expect(error?.message.contains(why) == true, "\(error?.message ?? "accepted")")
    }

    @Test("a url only for top-level .safetensors weights, and not with source:")
    func urlScope() {
        let nested = failure("runtime: x\nfiles:\n  sub/m.safetensors: {url: https://a.org/m, sha256: \(digest)}\n")
        #expect(nested?.message.contains("top-level .safetensors") == true, "\(nested?.message ?? "accepted")")
        let tokenizer = failure("runtime: x\nfiles:\n  tokenizer.json: {url: https://a.org/t, sha256: \(digest)}\n")
        #expect(tokenizer?.message.contains("top-level .safetensors") == true)
        let list = failure("runtime: x\nfiles:\n  m.safetensors: {url: [a], sha256: \(digest)}\n")
        #expect(list?.message.contains("a list") == true)
        let both = failure("runtime: x\nsource: hf://o/n\nfiles:\n  m.safetensors: {url: https://a.org/m, sha256: \(digest)}\n")
        #expect(both?.code == "manifest_invalid")
        #expect(both?.message.contains("'source'") == true, "\(both?.message ?? "accepted")")
    }

    @Test("the URL file cache sits beside the hub cache, not inside it")
    func cacheRoot() {
        #expect(URLFileFetch.cacheRoot(hubCache: "/home/u/.cache/huggingface/hub") == "/home/u/.cache/huggingface/modeld-url-files")
        #expect(URLFileFetch.cacheRoot(hubCache: "/var/cache/modeld/hub/") == "/var/cache/modeld/modeld-url-files")
        #expect(URLFileFetch.cacheRoot(hubCache: "hub") == "./modeld-url-files")
    }
}
