import ModelFormats

/// Builds safetensors files byte by byte, valid or deliberately broken.
enum SafetensorsFixture {
    /// A file made of a little-endian `length`, then `header`, then `dataBytes` filler bytes.
    static func file(length: UInt64, header: [UInt8], dataBytes: Int) -> [UInt8] {
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        bytes += header
        bytes += (0..<dataBytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        return bytes
    }

    /// A file whose length prefix matches `json`, followed by `dataBytes` filler bytes.
    static func file(json: String, dataBytes: Int) -> [UInt8] {
        let header = Array(json.utf8)
        return file(length: UInt64(header.count), header: header, dataBytes: dataBytes)
    }

    /// A valid file laying `tensors` out back to back in the given order, with padding spaces
    /// that align the data buffer to 8 bytes as the reference writer does.
    static func validFile(
        _ tensors: [(name: String, dtype: SafetensorsDType, shape: [Int])],
        metadata: [String: String] = [:]
    ) -> [UInt8] {
        var entries: [String] = []
        var offset = 0
        for tensor in tensors {
            let elements = tensor.shape.reduce(1, *)
            let size = elements * tensor.dtype.bitSize / 8
            entries.append(entry(tensor.name, dtype: tensor.dtype.rawValue, shape: tensor.shape, offsets: [offset, offset + size]))
            offset += size
        }
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\"\($0)\":\"\(metadata[$0]!)\"" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var json = "{\(entries.joined(separator: ","))}"
        json += String(repeating: " ", count: (8 - json.utf8.count % 8) % 8)
        return file(json: json, dataBytes: offset)
    }

    /// One tensor entry's JSON text, `"name":{...}`.
    static func entry(_ name: String, dtype: String, shape: [Int], offsets: [Int]) -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    /// Parses `bytes` as a whole file.
    static func parse(_ bytes: [UInt8]) throws(SafetensorsError) -> SafetensorsHeader {
        try SafetensorsHeader.parse(prefix: bytes, fileSize: bytes.count)
    }

    /// The error `parse` throws for `bytes`, or `nil` if it parses.
    static func error(_ bytes: [UInt8], fileSize: Int? = nil) -> SafetensorsError? {
        do {
            _ = try SafetensorsHeader.parse(prefix: bytes, fileSize: fileSize ?? bytes.count)
            return nil
        } catch {
            return error
        }
    }
}

/// SplitMix64: a small seeded generator, so random splits and mutations replay exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
