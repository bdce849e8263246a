public import Logging

/// Throwaway stand-in for the application so the executable builds on this branch; the
/// integrator's version replaces this file on merge.
public enum ModelServerApp {
    /// Logs one `listening` line per configured address and returns.
    public static func run(configuration: Configuration, logger: Logger) async throws {
        for address in configuration.listen {
            logger.info("listening", metadata: [LogKey.address: "\(address)"])
        }
    }
}
