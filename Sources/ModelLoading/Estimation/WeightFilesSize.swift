import Foundation

/// The size of a model's weights before they are read: what the ETA of a model without a
/// history of its own scales this machine's per-byte step costs by.
enum WeightFilesSize {
    /// Total bytes of the `.safetensors` files in `directory` (the files step 1 budgets
    /// memory for), or `nil` when there are none or the folder cannot be listed. Blocking
    /// file I/O: called on the load thread.
    static func of(directory: String) -> Int64? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        let total = names.filter { $0.hasSuffix(".safetensors") }
            .compactMap { FileIdentity.of(path: directory + "/" + $0)?.size }
            .reduce(Int64(0)) { $0 + Int64(clamping: $1) }
        return total > 0 ? total : nil
    }
}
