/// SHA-1 (RFC 3174), written here so `ws-load` checks `Sec-WebSocket-Accept` (RFC 6455
/// §4.1) with code that shares nothing with the server under test. Not for security.
public enum SHA1 {
    /// The 20-byte digest of `message`.
    public static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
        // RFC 3174 §4: the message, one 1 bit, zeros up to 448 mod 512 bits, then the
        // message length in bits as a 64-bit big-endian integer.
        var block = message
        block.append(0x80)
        block.append(contentsOf: [UInt8](repeating: 0, count: (119 - message.count % 64) % 64))
        let bits = UInt64(message.count) &* 8
        for index in 0..<8 { block.append(UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64(index)))) }
        var w = [UInt32](repeating: 0, count: 80)
        var offset = 0
        while offset < block.count {
            for t in 0..<16 {
                w[t] = block[offset + 4 * t..<offset + 4 * t + 4].reduce(0) { $0 << 8 | UInt32($1) }
            }
            for t in 16..<80 { w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
            processBlock(&h, w)
            offset += 64
        }
        return h.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
    }

    /// RFC 3174 §6.1 steps c–e over one expanded 80-word schedule.
    private static func processBlock(_ h: inout [UInt32], _ w: [UInt32]) {
        var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4]
        for t in 0..<80 {
            let f: UInt32
            let k: UInt32
            if t < 20 {
                f = (b & c) | (~b & d); k = 0x5A82_7999
            } else if t < 40 {
                f = b ^ c ^ d; k = 0x6ED9_EBA1
            } else if t < 60 {
                f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
            } else {
                f = b ^ c ^ d; k = 0xCA62_C1D6
            }
            let temp = rotl(a, 5) &+ f &+ e &+ w[t] &+ k
            (e, d, c, b, a) = (d, c, rotl(b, 30), a, temp)
        }
        h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e
    }

    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
}
