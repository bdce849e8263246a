import HTTPServer
import Testing
import TestSupport

struct TLSContextTests {
    @Test("a key that belongs to another certificate is TLSError.keyMismatch naming both files")
    func mismatchedKeyIsKeyMismatch() throws {
        let files = try TLSTestFiles()
        let (certificate, _) = try files.makeCertificate("one", commonName: "one")
        let (_, otherKey) = try files.makeCertificate("two", commonName: "two")
        do {
            _ = try TLSContext(certificateFile: certificate, keyFile: otherKey)
            Issue.record("a mismatched key was accepted")
        } catch {
            guard case .keyMismatch(let certificatePath, let keyPath, let reason) = error else {
                Issue.record("expected keyMismatch, got \(error)")
                return
            }
            #expect(certificatePath == certificate)
            #expect(keyPath == otherKey)
            #expect(!reason.isEmpty)
            #expect(error.description.contains(otherKey))
        }
    }

    @Test("a missing certificate file is unreadableCertificate with its path and OpenSSL's reason")
    func missingCertificateNamesPath() throws {
        let files = try TLSTestFiles()
        let (_, key) = try files.makeCertificate("one", commonName: "one")
        let missing = files.path("absent.pem")
        #expect(throws: TLSError.unreadableCertificate(path: missing, reason: "No such file or directory")) {
            try TLSContext(certificateFile: missing, keyFile: key)
        }
    }

    @Test("a key file without a PEM key is unreadableKey naming the path")
    func unreadableKeyNamesPath() throws {
        let files = try TLSTestFiles()
        let (certificate, _) = try files.makeCertificate("one", commonName: "one")
        do {
            // The certificate is PEM, but not a key.
            _ = try TLSContext(certificateFile: certificate, keyFile: certificate)
            Issue.record("a certificate was accepted as a key")
        } catch {
            guard case .unreadableKey(let path, _) = error else {
                Issue.record("expected unreadableKey, got \(error)")
                return
            }
            #expect(path == certificate)
            #expect(error.description.hasPrefix("TLS key file \(certificate): "))
        }
    }

    @Test("reload serves the new certificate to new connections, keeps open ones, and survives a bad reload")
    func reloadSwapsCertificateForNewConnections() throws {
        let files = try TLSTestFiles()
        let alpha = try files.makeCertificate("alpha", commonName: "alpha")
        let beta = try files.makeCertificate("beta", commonName: "beta")
        let context = try TLSContext(certificateFile: alpha.certificate, keyFile: alpha.key)
        try withTLSTestServer(context) { port, _ in
            let before = try TLSTestClient.connected(port: port, trusting: alpha.certificate)
            #expect(before.peerSubject == "/CN=alpha")

            try context.reload(certificateFile: beta.certificate, keyFile: beta.key)
            let after = try TLSTestClient.connected(port: port, trusting: beta.certificate)
            #expect(after.peerSubject == "/CN=beta")

            // The connection opened before the reload keeps its session.
            try before.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(before.readResponse()?.status == 200)

            #expect(throws: TLSError.self) {
                try context.reload(certificateFile: alpha.certificate, keyFile: beta.key)
            }
            let afterFailure = try TLSTestClient.connected(port: port, trusting: beta.certificate)
            #expect(afterFailure.peerSubject == "/CN=beta")
            try afterFailure.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(afterFailure.readResponse()?.status == 200)
        }
    }
}
