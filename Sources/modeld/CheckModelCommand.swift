import ArgumentParser
import ModelServer

/// `modeld check-model DIR`: validates a model folder offline (steps 1–6) and prints what
/// each step found. Exits 0 when the model is valid, 1 otherwise.
struct CheckModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-model",
        abstract: "Validate a model folder offline: run load steps 1-6 and report."
    )

    @Argument(help: "The model folder (one sub-folder of a model repository).")
    var directory: String

    func run() throws {
        let (lines, isValid) = ModelCheck.run(directory: directory, cacheDirectory: nil)
        for line in lines { print(line) }
        if !isValid { throw ExitCode.failure }
    }
}
