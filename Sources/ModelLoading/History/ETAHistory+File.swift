import Foundation

/// The JSON file: `{"version":2,"models":{"<id>":{"step_seconds":[s1,...,s9],"weight_bytes":N}}}`.
///
/// Version 1 files (the same without `weight_bytes`) are still read: their entries estimate
/// their own model's next load but teach nothing per byte until that model loads again. The
/// next write stores version 2.
extension ETAHistory {
    private struct FileContents: Codable {
        struct Entry: Codable {
            var stepSeconds: [Double]
            var weightBytes: Int64?
            enum CodingKeys: String, CodingKey {
                case stepSeconds = "step_seconds"
                case weightBytes = "weight_bytes"
            }
        }
        var version: Int
        var models: [String: Entry]
    }

    private static let currentVersion = 2
    private static let readableVersions = 1...2

    /// Reads `path`; a missing file is an empty history, an unreadable one an issue.
    static func read(path: String) -> (entries: [String: Entry], issue: String?) {
        guard FileManager.default.fileExists(atPath: path) else { return ([:], nil) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return ([:], "\(path) is unreadable; ignored")
        }
        guard let contents = try? JSONDecoder().decode(FileContents.self, from: data),
              readableVersions.contains(contents.version) else {
            return ([:], "\(path) is not a version 1 or \(currentVersion) ETA history; ignored and will be replaced")
        }
        let valid = contents.models.compactMapValues { entry -> Entry? in
            let seconds = entry.stepSeconds
            let isValid = seconds.count == LoadStep.total && seconds.allSatisfy { $0.isFinite && $0 >= 0 }
            guard isValid else { return nil }
            // A size that is not positive is dropped, not the durations.
            return Entry(stepSeconds: seconds, weightBytes: entry.weightBytes.flatMap { $0 > 0 ? $0 : nil })
        }
        return (valid, nil)
    }

    /// Writes `entries` through `writer` (temporary file, fsync, rename, fsync directory).
    static func write(_ entries: [String: Entry], to path: String, with writer: StateFileWriter) throws(ETAHistoryError) {
        let contents = FileContents(
            version: currentVersion,
            models: entries.mapValues { FileContents.Entry(stepSeconds: $0.stepSeconds, weightBytes: $0.weightBytes) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(contents)
        } catch {
            throw .writeFailed(path: path, reason: "\(error)")
        }
        do throws(StateFileError) {
            try writer.write(Array(data), to: path)
        } catch {
            throw .writeFailed(path: path, reason: error.description)
        }
    }
}
