import ArgumentParser
import ModelServer

/// The `modeld` command: `serve` (the default) and `--version`.
@main
struct Modeld: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modeld",
        abstract: "Serve machine-learning models over HTTP and WebSocket.",
        discussion: """
            serve is the default: `modeld --listen :8080` means `modeld serve --listen :8080`.

            SERVE SETTINGS:
            \(ConfigurationKey.helpText)
            """,
        version: "modeld \(ModeldVersion.string)",
        subcommands: [Serve.self, CheckModelCommand.self, PullCommand.self],
        defaultSubcommand: Serve.self
    )
}
