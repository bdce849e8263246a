/// The 32-bit key a client XORs its payload with (RFC 6455 §5.3).
///
/// Masking and unmasking are the same operation; `apply` does it eight bytes at a time,
/// since a 16 MiB frame byte by byte would be the slowest step of the echo path.
public struct WebSocketMaskingKey: Sendable, Hashable {
    /// The four key bytes in wire order.
    public var bytes: (UInt8, UInt8, UInt8, UInt8)

    /// The key made of these four bytes, in wire order.
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) {
        bytes = (b0, b1, b2, b3)
    }

    /// A key drawn from `generator`. RFC 6455 §5.3 asks clients for unpredictable keys;
    /// pass `SystemRandomNumberGenerator` outside tests.
    public static func random(using generator: inout some RandomNumberGenerator) -> WebSocketMaskingKey {
        let value = UInt32.random(in: .min ... .max, using: &generator)
        return WebSocketMaskingKey(
            UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
            UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24))
    }

    /// The key byte applied to payload byte `index` (RFC 6455 §5.3: `j = i MOD 4`).
    public subscript(index: Int) -> UInt8 {
        switch index & 3 {
        case 0: bytes.0
        case 1: bytes.1
        case 2: bytes.2
        default: bytes.3
        }
    }

    /// Writes `source` XOR the key into `destination`, which must be at least as long;
    /// the two may be the same memory.
    public func apply(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) {
        precondition(destination.count >= source.count, "the destination is too short")
        let count = source.count
        guard count > 0, let input = source.baseAddress, let output = destination.baseAddress else { return }
        // The key repeated twice, laid out in memory exactly as it is applied to bytes
        // 0...7, so one native-endian load of it lines up with one load of the payload.
        var pattern: UInt64 = 0
        withUnsafeMutableBytes(of: &pattern) { word in
            for index in 0..<8 { word[index] = self[index] }
        }
        var offset = 0
        // Unaligned loads and stores are fine here: `loadUnaligned` and `storeBytes` have
        // no alignment requirement (SE-0349), and offset + 8 <= count keeps both in bounds.
        while offset + 8 <= count {
            let word = input.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            output.storeBytes(of: word ^ pattern, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < count {
            let byte = input.load(fromByteOffset: offset, as: UInt8.self)
            output.storeBytes(of: byte ^ self[offset], toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
    }

    /// Two keys are equal when their bytes are.
    public static func == (lhs: WebSocketMaskingKey, rhs: WebSocketMaskingKey) -> Bool {
        lhs.bytes == rhs.bytes
    }

    /// Hashes the four bytes.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.0)
        hasher.combine(bytes.1)
        hasher.combine(bytes.2)
        hasher.combine(bytes.3)
    }
}
