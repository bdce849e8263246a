import Foundation
import Synchronization

/// The per-step durations of each model's last successful load and the size of its weights,
/// kept in memory and persisted as JSON in `<stateDir>/eta-history.json`; the basis of
/// `eta_seconds` and of the expected durations behind `progress` (DESIGN §1.3). A model's own
/// entry estimates its next load; the entries of the other models, as seconds per weight byte
/// (`StepCostProfile`), estimate the first load of a model that has none.
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
    /// One model's last successful load.
    public struct Entry: Sendable, Equatable {
        /// Seconds per step, indexed by step number − 1.
        public var stepSeconds: [Double]
        /// Bytes of the model's weights files, when known (not in version 1 files).
        public var weightBytes: Int64?

        public init(stepSeconds: [Double], weightBytes: Int64?) {
            self.stepSeconds = stepSeconds
            self.weightBytes = weightBytes
        }
    }

    /// The file's name inside the state directory.
    public static let fileName = "eta-history.json"

    /// The file read and written, or `nil` for a history kept only in memory.
    public let filePath: String?
    /// Why the file found at start was ignored, if it was.
    public let loadIssue: String?

    private let entriesByModel: Mutex<[String: Entry]>
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
            entriesByModel = Mutex([:])
            return
        }
        let path = (stateDirectory as NSString).appendingPathComponent(Self.fileName)
        filePath = path
        StateFileWriter.removeLeftovers(of: path)
        let (entries, issue) = Self.read(path: path)
        loadIssue = issue
        entriesByModel = Mutex(entries)
    }

    /// The last successful load's seconds per step of `modelID`, indexed by step number − 1.
    public func stepSeconds(for modelID: String) -> [Double]? {
        entriesByModel.withLock { $0[modelID]?.stepSeconds }
    }

    /// The last successful load of `modelID`.
    public func entry(for modelID: String) -> Entry? {
        entriesByModel.withLock { $0[modelID] }
    }

    /// What the loads of every model but `modelID` say about this machine's step costs, or
    /// `nil` when no other model's load recorded its weights' size.
    func profile(excluding modelID: String) -> StepCostProfile? {
        let others = entriesByModel.withLock { entries in entries.filter { $0.key != modelID }.map(\.value) }
        return StepCostProfile(learningFrom: others)
    }

    /// The error of the last failed write, cleared by the next successful one.
    public var lastWriteError: ETAHistoryError? {
        writeLock.withLock { $0 }
    }

    /// Records `timings` (of a model whose weights are `weightBytes`, when known) as the
    /// latest of `modelID` and rewrites the file. Blocking file I/O: called from load threads,
    /// never from an event loop.
    public func record(_ timings: LoadTimings, weightBytes: Int64? = nil, for modelID: String) {
        remember(timings, weightBytes: weightBytes, for: modelID)
        save()
    }

    /// Records `timings` in memory only (cheap; the loader does it as the model turns ready,
    /// so the next load's ETA never misses it).
    func remember(_ timings: LoadTimings, weightBytes: Int64?, for modelID: String) {
        let entry = Entry(stepSeconds: timings.stepSeconds, weightBytes: weightBytes.flatMap { $0 > 0 ? $0 : nil })
        entriesByModel.withLock { $0[modelID] = entry }
    }

    /// Rewrites the file with the entries in memory. Blocking file I/O.
    func save() {
        guard let filePath else { return }
        writeLock.withLock { lastError in
            // Encode under the write lock so the file written last holds the latest entries.
            let entries = entriesByModel.withLock { $0 }
            do throws(ETAHistoryError) {
                try Self.write(entries, to: filePath, with: writer)
                lastError = nil
            } catch {
                lastError = error
            }
        }
    }
}
