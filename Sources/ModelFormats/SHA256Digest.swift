import COpenSSL

/// A streaming SHA-256 (FIPS 180-4) over OpenSSL's libcrypto EVP interface.
///
/// Feed the bytes in any number of `update` calls, then `finalize` once. The value is
/// non-copyable: it owns one `EVP_MD_CTX`, freed when the value is consumed or dropped, so a
/// context can neither leak nor be finalized twice. It uses libcrypto's assembly
/// implementations (SHA-NI, AVX2), which is what lets step 5 hash at disk speed (DESIGN §2.3).
///
/// It is `Sendable` so a hashing thread can own it: being non-copyable it has exactly one
/// owner, `update` is `mutating` and `finalize` is `consuming`, so two threads can never
/// touch the one `EVP_MD_CTX` at once, and libcrypto contexts have no thread affinity.
public struct SHA256Digest: ~Copyable, @unchecked Sendable { // safe because: single owner, see above
    /// Digest length in bytes (32).
    public static let byteCount = 32

    private let context: OpaquePointer

    /// Starts a new digest.
    public init() {
        // Allocation failure of a ~200-byte context is out-of-memory, which Swift traps on
        // anyway; DigestInit fails only when the provider lacks SHA-256, a broken install.
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
        precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "EVP_DigestInit_ex(sha256) failed")
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        // Cannot fail for an initialised SHA-256 context: it only copies and compresses.
        precondition(EVP_DigestUpdate(context, base, bytes.count) == 1, "EVP_DigestUpdate failed")
    }

    /// Adds the bytes of `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Finishes the message and returns the 32-byte digest; the context is freed afterwards.
    public consuming func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.byteCount) { buffer, initialized in
            var length: UInt32 = 0
            precondition(EVP_DigestFinal_ex(context, buffer.baseAddress, &length) == 1, "EVP_DigestFinal_ex failed")
            initialized = Int(length)
        }
    }

    /// Finishes the message and returns the digest as 64 lower-case hex digits.
    public consuming func finalizeHex() -> String {
        Self.hex(finalize())
    }

    /// The SHA-256 of `bytes` in one call.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = SHA256Digest()
        digest.update(bytes)
        return digest.finalize()
    }

    /// `bytes` as lower-case hex, two digits per byte (the manifest's `sha256:` spelling).
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
