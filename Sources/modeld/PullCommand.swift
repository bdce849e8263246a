import ArgumentParser
import Foundation
import ModelHub
import ModelServer

/// `modeld pull hf://ORG/NAME[@REV]`: fills the hub cache with a model's files, with a
/// progress bar on a terminal and one `key=value` line per second otherwise. Exits 0 when
/// the snapshot is complete (a rerun resumes, or does nothing when all is cached), 1 with
/// `pull failed error=CODE` otherwise.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download a model from a Hugging Face-compatible hub into the hub cache."
    )

    @Argument(help: "The model: hf://ORG/NAME[@REVISION] (a branch, tag or commit; default main).")
    var reference: String

    @Option(help: "A YAML settings file (its hub.* keys apply).")
    var config: String?

    @Option(name: .customLong("hub-endpoint"), help: "The hub's URL (else hub.endpoint, HF_ENDPOINT, https://huggingface.co).")
    var endpoint: String?

    @Option(name: .customLong("hub-token-file"), help: "File holding the hub token (else hub.token-file, HF_TOKEN).")
    var tokenFile: String?

    @Option(name: .customLong("hub-cache-dir"), help: "The hub cache (else hub.cache-dir, HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub).")
    var cacheDir: String?

    @Option(name: .customLong("hub-ca-file"), help: "PEM CA bundle that alone verifies the hub's certificate (else hub.ca-file, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE, the system store).")
    var caFile: String?

    @Flag(name: .customLong("hub-offline"), help: "Make no request: succeed only if the cache holds the model.")
    var offline = false

    @Option(name: .customLong("stall-timeout"), help: "Seconds without a byte before a transfer is retried.")
    var stallTimeout = 30

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        do throws(HubError) {
            let target = try HubReference(parsing: reference)
            let settings = try hubSettings(environment: environment)
            let client = HubClient(settings: settings, stallSeconds: max(1, stallTimeout))
            var display = PullProgressDisplay(isTerminal: isatty(STDOUT_FILENO) == 1)
            let pull = HubPull(client: client, reference: target, cancellation: HubCancellation())
            let snapshot = try pull.perform { display.show($0) }
            display.finish()
            print("pulled reference=\(target) commit=\(snapshot.commit) folder=\(snapshot.folder) bytes_downloaded=\(snapshot.bytesDownloaded)")
        } catch {
            FileHandle.standardError.write(Data("pull failed error=\(error.code) message=\(String(reflecting: error.reason))\n".utf8))
            throw ExitCode.failure
        }
    }

    /// The hub settings: these options over the configuration file's and `MODELD_HUB_*`
    /// values, over huggingface_hub's environment variables.
    private func hubSettings(environment: [String: String]) throws(HubError) -> HubSettings {
        var arguments: [String] = []
        if let config { arguments += ["--config", config] }
        let configuration: Configuration
        do {
            configuration = try Configuration.load(arguments: arguments, environment: environment)
        } catch {
            throw .cacheError("configuration: \(error)")
        }
        return try HubSettings.resolve(
            endpoint: endpoint ?? configuration.hubEndpoint,
            tokenFile: tokenFile ?? configuration.hubTokenFile,
            offline: offline || configuration.hubOffline,
            cacheDirectory: cacheDir ?? configuration.hubCacheDir,
            caFile: caFile ?? configuration.hubCAFile,
            environment: environment)
    }
}
