import ModelLoading
import ModelRuntime

/// `modeld check-model DIR`: runs steps 1–6 of the load table offline on one model folder
/// and reports what each step found, so an operator can validate a model before shipping
/// it to a server (no server, no state written unless a cache directory is given).
public enum ModelCheck {
    /// The report as lines of text, and whether the model passed.
    public static func run(directory: String, cacheDirectory: String?) -> (lines: [String], isValid: Bool) {
        let report = CheckModel.run(directory: directory, runtimes: runtimesByName(), cacheDirectory: cacheDirectory)
        var lines = ["model \(report.modelID) at \(report.directory)"]
        for result in report.steps {
            let milliseconds = Double(result.duration.components.attoseconds) / 1e15
                + Double(result.duration.components.seconds) * 1000
            let status = result.status == .ok ? "ok" : "FAILED"
            lines.append("step \(result.number)/\(LoadStep.total) \(status) \(result.message) (\(String(format: milliseconds)) ms)")
            for fact in result.facts { lines.append("    \(fact.key)=\(fact.value)") }
            if let error = result.error { lines.append("    error=\(error.code) \(error.message)") }
        }
        lines.append(report.isValid ? "result: valid (steps 1-\(CheckModel.steps.count) passed)" : "result: INVALID")
        return (lines, report.isValid)
    }

    private static func runtimesByName() -> [String: any ModelRuntimeFactory] {
        Dictionary(RuntimeCatalog.all().map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private static func String(format milliseconds: Double) -> Swift.String {
        let rounded = (milliseconds * 10).rounded() / 10
        return "\(rounded)"
    }
}
