/// Why a `SIGHUP` reload was rejected. A rejected reload changes nothing: the server keeps
/// the configuration, token and models it had, and logs `reload rejected` with the
/// description (operators only; no client ever sees it).
public enum ReloadError: Error, Equatable, CustomStringConvertible {
    /// The configuration (file, environment or flags) does not parse or validate.
    case configuration(ConfigurationError)
    /// `admin-token-file` is set but cannot be read or is empty: rejecting keeps the old
    /// token, where accepting would open the admin endpoints.
    case adminTokenFile(path: String, reason: String)
    /// `model-repository` does not exist or cannot be listed: rejecting keeps the models
    /// instead of removing them all because a mount went missing.
    case repositoryUnusable(path: String, reason: String)
    /// A hook run after the configuration was accepted (such as re-reading TLS
    /// certificates) refused it.
    case hookFailed(hook: String, reason: String)

    public var description: String {
        switch self {
        case .configuration(let error): "\(error)"
        case .adminTokenFile(let path, let reason): "admin-token-file \(path): \(reason)"
        case .repositoryUnusable(let path, let reason): "model-repository \(path): \(reason)"
        case .hookFailed(let hook, let reason): "\(hook): \(reason)"
        }
    }
}
