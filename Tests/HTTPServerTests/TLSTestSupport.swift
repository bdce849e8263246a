import COpenSSL
import EventLoop
import Foundation
import HTTPServer
import TestSupport

/// A temporary directory with self-signed certificates made by the `openssl` command
/// (P-256 keys, so generating them is quick), removed when the value goes away.
final class TLSTestFiles {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("modeld-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes `NAME.pem` and `NAME-key.pem`: a self-signed certificate for 127.0.0.1 whose
    /// subject is `CN=commonName`. Returns the two paths.
    @discardableResult
    func makeCertificate(_ name: String, commonName: String) throws -> (certificate: String, key: String) {
        let certificate = path("\(name).pem")
        let key = path("\(name)-key.pem")
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=\(commonName)",
                          "-addext", "subjectAltName=IP:127.0.0.1"])
        return (certificate, key)
    }

    /// Runs `openssl ARGUMENTS` and fails unless it exits 0.
    static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TLSTestFailure("openssl \(arguments.first ?? "") failed") }
    }
}

/// A test setup step that did not work (not a finding about the server).
struct TLSTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A blocking OpenSSL client over `TCPClient`'s socket (receive timeout 5 s), used
/// synchronously from the test function, never on a loop.
final class TLSTestClient {
    let tcp: TCPClient
    private let context: OpaquePointer
    private let ssl: OpaquePointer
    private var buffered: [UInt8] = []
    /// OpenSSL's reason for the last failed handshake.
    private(set) var handshakeFailure: String?

    /// - Parameters:
    ///   - trusting: a PEM certificate to verify the server against; nil skips verification.
    ///   - alpn: protocols to offer; empty offers no ALPN extension.
    ///   - onlyTLS11: offer TLS 1.0–1.1 only (at security level 0, so OpenSSL sends it).
    ///   - receiveBufferBytes: a small `SO_RCVBUF` makes the server's writes block.
    init(port: UInt16, trusting caFile: String? = nil, alpn: [String] = ["http/1.1"], onlyTLS11: Bool = false,
         receiveBufferBytes: Int32? = nil) throws {
        tcp = try TCPClient(port: port)
        if let receiveBufferBytes {
            try SocketCalls.setOption(tcp.fd, level: SOL_SOCKET, name: SO_RCVBUF, value: receiveBufferBytes)
        }
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw TLSTestFailure("SSL_CTX_new") }
        self.context = context
        if let caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else { throw TLSTestFailure("load CA") }
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        }
        if onlyTLS11 {
            SSL_CTX_set_security_level(context, 0)
            _ = copenssl_ctx_set_min_proto_version(context, TLS1_VERSION)
            _ = copenssl_ctx_set_max_proto_version(context, TLS1_1_VERSION)
            _ = SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0")
        }
        if !alpn.isEmpty {
            let wire = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            _ = SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count))
        }
        guard let ssl = SSL_new(context) else { throw TLSTestFailure("SSL_new") }
        self.ssl = ssl
        SSL_set_fd(ssl, tcp.fd)
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// Runs the handshake; false (with `handshakeFailure` set) when it failed.
    func handshake() -> Bool {
        ERR_clear_error()
        if SSL_connect(ssl) == 1 { return true }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(ERR_get_error(), &text, text.count)
        handshakeFailure = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        ERR_clear_error()
        return false
    }

    /// Connects with the handshake done, or throws.
    static func connected(port: UInt16, trusting caFile: String? = nil) throws -> TLSTestClient {
        let client = try TLSTestClient(port: port, trusting: caFile)
        guard client.handshake() else { throw TLSTestFailure("handshake: \(client.handshakeFailure ?? "?")") }
        return client
    }

    /// The protocol the server selected with ALPN.
    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The server certificate's subject, as `/CN=name`.
    var peerSubject: String? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        var text = [CChar](repeating: 0, count: 256)
        X509_NAME_oneline(X509_get_subject_name(certificate), &text, Int32(text.count))
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Sends `bytes` in records of at most `recordBytes` (odd sizes make the server's reads
    /// end inside a record).
    func send(_ bytes: [UInt8], recordBytes: Int = 16384) throws {
        var offset = 0
        while offset < bytes.count {
            let length = min(recordBytes, bytes.count - offset)
            let count = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + offset, Int32(length)) }
            guard count > 0 else { throw TLSTestFailure("SSL_write failed") }
            offset += Int(count)
        }
    }

    /// Reads one response; nil if the connection ended (or timed out) first.
    func readResponse(isHead: Bool = false) -> RawHTTPResponse? {
        while true {
            if let (response, consumed) = RawHTTPResponse.parse(buffered, isHead: isHead) {
                buffered.removeFirst(consumed)
                return response
            }
            guard fill() > 0 else { return nil }
        }
    }

    /// Reads until the server ends the session; true when it did so with `close_notify`.
    func readUntilCloseNotify() -> Bool {
        while fill() > 0 {}
        return SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN != 0
    }

    private func fill() -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
        guard count > 0 else {
            ERR_clear_error()
            return 0
        }
        buffered += chunk[..<Int(count)]
        return Int(count)
    }
}

/// Runs `body` against a TLS server on an ephemeral loopback port, then shuts it down.
func withTLSTestServer(_ tls: TLSContext, _ body: (UInt16, Server) throws -> Void) throws {
    let server = Server(router: tlsTestRouter(), limits: HTTPLimits(), eventLoops: 1, tls: tls)
    let addresses = try server.start(listen: [("127.0.0.1", 0)])
    defer { server.shutdown(gracePeriod: .seconds(2)) }
    try body(addresses[0].port, server)
}

/// The bytes `GET /big` answers: 1 MiB of a pattern that shows any lost or repeated record.
let bigBody: [UInt8] = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) }

/// Routes for the TLS tests.
func tlsTestRouter() -> HTTPRouter {
    var router = testRouter()
    let big = HTTPResponse(status: .ok, contentType: "application/octet-stream", body: bigBody)
    router.add(.get, "/big", .immediate { _ in big })
    return router
}
