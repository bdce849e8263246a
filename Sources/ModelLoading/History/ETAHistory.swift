import Foundation
import Synchronization

/// The per-step durations of each model's last successful load, kept in memory and persisted
/// as JSON in `<stateDir>/eta-history.json`; the basis of `eta_seconds` and of the step
/// weights behind `progress` (DESIGN §1.3).
///
/// File policy:
/// - Written whole on every recorded load through a `StateFileWriter` (temporary file,
///   fsync, `rename(2)`, fsync of the directory), so a reader, a crash or a power cut sees
///   either the old file or the new one, never half of one. Temporary files of a process
///   killed mid-write are removed at open.
/// - Read once at start. A file that is not valid JSON of this shape is ignored (the reason
///   is kept in `loadIssue` for the log) and replaced at the next write; an entry without
///   nine finite, non-negative durations is dropped.
/// - A failed write never fails a load: the new durations stay in memory, the error is
///   kept in `lastWriteError`, and the writer reports it (once per streak of failures).
public final class ETAHistory: Sendable {
    /// The file's name inside the state directory.
    public static let fileName = "eta-history.json"

    /// The file read and written, or `nil` for a history kept only in memory.
    public let filePath: String?
    /// Why the file found at start was ignored, if it was.
    public let loadIssue: String?

    private let stepSecondsByModel: Mutex<[String: [Double]]>
    private let writer: StateFileWriter
    /// Held across a whole write so two loads finishing together cannot reorder renames.
    private let writeLock = Mutex<ETAHistoryError?>(nil)

    /// Opens the history of `stateDirectory` (reading its file if there is one), or an
    /// in-memory history when `stateDirectory` is `nil`; `writer` writes the file.
    public init(stateDirectory: String?, writer: StateFileWriter = StateFileWriter()) {
        self.writer = writer
        guard let stateDirectory else {
            filePath = nil
            loadIssue = nil
            stepSecondsByModel = Mutex([:])
            return
        }
        let path = (stateDirectory as NSString).appendingPathComponent(Self.fileName)
        filePath = path
        StateFileWriter.removeLeftovers(of: path)
        let (entries, issue) = Self.read(path: path)
        loadIssue = issue
        stepSecondsByModel = Mutex(entries)
    }

    /// The last successful load's seconds per step of `modelID`, indexed by step number − 1.
    public func stepSeconds(for modelID: String) -> [Double]? {
        stepSecondsByModel.withLock { $0[modelID] }
    }

    /// The error of the last failed write, cleared by the next successful one.
    public var lastWriteError: ETAHistoryError? {
        writeLock.withLock { $0 }
    }

    /// Records `timings` as the latest of `modelID` and rewrites the file. Blocking file I/O:
    /// called from load threads, never from an event loop.
    public func record(_ timings: LoadTimings, for modelID: String) {
        remember(timings, for: modelID)
        save()
    }

    /// Records `timings` in memory only (cheap; the loader does it as the model turns ready,
    /// so the next load's ETA never misses it).
    func remember(_ timings: LoadTimings, for modelID: String) {
        stepSecondsByModel.withLock { $0[modelID] = timings.stepSeconds }
    }

    /// Rewrites the file with the entries in memory. Blocking file I/O.
    func save() {
        guard let filePath else { return }
        writeLock.withLock { lastError in
            // Encode under the write lock so the file written last holds the latest entries.
            let entries = stepSecondsByModel.withLock { $0 }
            do throws(ETAHistoryError) {
                try Self.write(entries, to: filePath, with: writer)
                lastError = nil
            } catch {
                lastError = error
            }
        }
    }
}
