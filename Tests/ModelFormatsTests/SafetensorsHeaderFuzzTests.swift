import ModelFormats
import Testing

/// Seeded random mutations of valid files: each must parse into a self-consistent header or
/// throw a `SafetensorsError`; a crash or hang fails the run.
struct SafetensorsHeaderFuzzTests {
    private static let seed: UInt64 = 0x5AFE_7E45
    private static let iterations = 3000

    /// Bytes that steer mutations toward JSON structure and the numbers that matter.
    private static let interesting: [UInt8] = Array("{}[],:\"0123456789-.e \\u".utf8) + [0x00, 0x80, 0xFF]

    private static func baseFile() -> [UInt8] {
        SafetensorsFixture.validFile([
            ("embeddings.weight", .f32, [4, 3]),
            ("norm.bias", .bf16, [3]),
            ("mask", .bool, [5]),
            ("packed", .f4, [2, 2]),
        ], metadata: ["format": "pt"])
    }

    /// Applies one random mutation: flip, replace, insert, delete, truncate or re-length.
    private static func mutate(_ bytes: inout [UInt8], using rng: inout SeededGenerator) {
        guard !bytes.isEmpty else {
            bytes.append(UInt8.random(in: 0...255, using: &rng))
            return
        }
        let index = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
        case 1: bytes[index] = interesting.randomElement(using: &rng)!
        case 2: bytes.insert(interesting.randomElement(using: &rng)!, at: index)
        case 3: bytes.remove(at: index)
        case 4: bytes.removeLast(Int.random(in: 0...min(bytes.count, 16), using: &rng))
        case 5: bytes[Int.random(in: 0..<min(8, bytes.count), using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        default:
            let end = min(bytes.count, index + Int.random(in: 1...8, using: &rng))
            bytes.insert(contentsOf: bytes[index..<end], at: index)
        }
    }

    /// What any successful parse must guarantee about the header it returns.
    private static func checkInvariants(_ header: SafetensorsHeader, fileSize: Int) {
        var cursor = header.dataStart
        for tensor in header.tensors {
            #expect(tensor.dataRange.lowerBound == cursor || tensor.dataRange.isEmpty)
            #expect(tensor.dataRange.lowerBound >= header.dataStart && tensor.dataRange.upperBound <= fileSize)
            #expect(tensor.byteCount == tensor.elementCount * tensor.dtype.bitSize / 8)
            cursor = max(cursor, tensor.dataRange.upperBound)
        }
        #expect(cursor == fileSize)
        #expect(header.totalDataBytes == header.tensors.reduce(0) { $0 + $1.byteCount })
    }

    @Test("random mutations of a valid file either parse consistently or throw SafetensorsError")
    func mutationsNeverCrash() {
        var rng = SeededGenerator(seed: Self.seed)
        let base = Self.baseFile()
        var outcomes: [String: Int] = [:]
        for _ in 0..<Self.iterations {
            var bytes = base
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                Self.mutate(&bytes, using: &rng)
            }
            do {
                let header = try SafetensorsFixture.parse(bytes)
                Self.checkInvariants(header, fileSize: bytes.count)
                outcomes["ok", default: 0] += 1
            } catch {
                outcomes[error.code, default: 0] += 1
            }
        }
        // A fuzzer that only ever hits one error path tests nothing: demand variety.
        #expect(outcomes.count >= 8, "\(outcomes)")
    }

    @Test("every prefix of a valid file is rejected with a SafetensorsError, never accepted")
    func truncationsAreRejected() {
        let base = Self.baseFile()
        for length in 0..<base.count {
            let prefix = Array(base.prefix(length))
            #expect(SafetensorsFixture.error(prefix) != nil, "length \(length)")
        }
    }
}
