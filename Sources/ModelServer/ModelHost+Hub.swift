import Foundation
import Logging
import ModelHub

extension ModelHost {
    /// The hub settings of `source: hf://...` models: the `hub.*` keys over huggingface_hub's
    /// environment variables. A token file that cannot be read is logged and leaves the
    /// settings to the environment alone (the load then fails visibly if the hub refuses it).
    static func hubSettings(_ configuration: Configuration, logger: Logger) -> HubSettings? {
        do throws(HubError) {
            return try HubSettings.resolve(
                endpoint: configuration.hubEndpoint, tokenFile: configuration.hubTokenFile,
                offline: configuration.hubOffline, cacheDirectory: configuration.hubCacheDir,
                caFile: configuration.hubCAFile,
                environment: ProcessInfo.processInfo.environment)
        } catch {
            logger.error("hub settings", metadata: [LogKey.error: "\(error.code)", LogKey.reason: "\(error.reason)"])
            return nil
        }
    }
}
