import Foundation

/// The JSON file: `{"version":1,"models":{"<id>":{"step_seconds":[s1,...,s9]}}}`.
extension ETAHistory {
    private struct FileContents: Codable {
        struct Entry: Codable {
            var stepSeconds: [Double]
            enum CodingKeys: String, CodingKey { case stepSeconds = "step_seconds" }
        }
        var version: Int
        var models: [String: Entry]
    }

    private static let currentVersion = 1

    /// Reads `path`; a missing file is an empty history, an unreadable one an issue.
    static func read(path: String) -> (entries: [String: [Double]], issue: String?) {
        guard FileManager.default.fileExists(atPath: path) else { return ([:], nil) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return ([:], "\(path) is unreadable; ignored")
        }
        guard let contents = try? JSONDecoder().decode(FileContents.self, from: data),
              contents.version == currentVersion else {
            return ([:], "\(path) is not a version \(currentVersion) ETA history; ignored and will be replaced")
        }
        let valid = contents.models.compactMapValues { entry -> [Double]? in
            let seconds = entry.stepSeconds
            let isValid = seconds.count == LoadStep.total && seconds.allSatisfy { $0.isFinite && $0 >= 0 }
            return isValid ? seconds : nil
        }
        return (valid, nil)
    }

    /// Writes `entries` through `writer` (temporary file, fsync, rename, fsync directory).
    static func write(_ entries: [String: [Double]], to path: String, with writer: StateFileWriter) throws(ETAHistoryError) {
        let contents = FileContents(version: currentVersion,
                                    models: entries.mapValues { FileContents.Entry(stepSeconds: $0) })
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
