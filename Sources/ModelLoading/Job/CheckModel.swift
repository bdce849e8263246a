import Foundation
public import ModelRuntime

/// `modeld check-model DIR` (DESIGN §1.7): validates one model folder offline by running
/// steps 1 to 6 of a real load (manifest, runtime config and tokenizer, digest cache,
/// header and tensor checks, reading and verifying the weights, completeness), and reports
/// each step. Nothing is kept: the job is released before returning.
public enum CheckModel {
    /// The steps a check runs: 1 (`initialize`) through 6 (`loadComplete`).
    public static let steps = LoadStep.allCases.filter { $0.number <= LoadStep.loadComplete.number }

    /// Checks the model folder at `directory`.
    ///
    /// - Parameters:
    ///   - runtimes: the runtimes the server would have, by name.
    ///   - cacheDirectory: the state dir holding `digest-cache.json`, so a check and the
    ///     server share verified digests; `nil` keeps the cache in memory.
    ///   - settings: budget and rate cap; by default no rate cap, the resolved
    ///     `MemoryBudget` and nothing in use.
    public static func run(
        directory: String, runtimes: [String: any ModelRuntimeFactory], cacheDirectory: String?,
        settings: LoadJobSettings? = nil
    ) -> CheckModelReport {
        let folder = URL(fileURLWithPath: directory).standardizedFileURL.path
        let id = URL(fileURLWithPath: folder).lastPathComponent
        var report = CheckModelReport(directory: folder, modelID: id, steps: [])
        let clock = ContinuousClock()
        let start = clock.now
        let descriptor: ModelDescriptor
        do throws(ModelLoadError) {
            guard FileManager.default.fileExists(atPath: folder) else { throw .fileNotFound(folder) }
            descriptor = try ModelRepository.describe(folder: folder, id: id, runtimes: runtimes)
        } catch {
            // Validating the manifest is step 1's work (DESIGN §1.2).
            report.steps.append(.init(step: .initialize, status: .failed, facts: [], duration: start.duration(to: clock.now),
                                      error: error))
            return report
        }
        let budget = MemoryBudget.resolve(configuredBytes: nil)
        let job = ModelLoadJob(descriptor: descriptor, runtimes: runtimes, digestCache: DigestCache(directory: cacheDirectory),
                               settings: settings ?? LoadJobSettings(memoryBudgetBytes: budget.bytes))
        defer { job.release() }
        let progress = LoadProgressSink(reportBytes: { _, _ in }, isCancelled: { false })
        for step in steps {
            let stepStart = clock.now
            var failure: ModelLoadError?
            do {
                try job.run(step, progress: progress)
            } catch {
                failure = error
            }
            report.steps.append(.init(step: step, status: failure == nil ? .ok : .failed, facts: job.facts[step] ?? [],
                                      duration: stepStart.duration(to: clock.now), error: failure))
            if failure != nil { break }
        }
        return report
    }
}
