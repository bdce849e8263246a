import Foundation

/// Where and how to reach the hub and its cache, after settings and environment fallbacks.
///
/// Each value comes from a modeld setting when it is set, else from the environment variable
/// `huggingface_hub` reads, else from its default, so both tools agree on one cache:
/// - endpoint: `hub.endpoint`, else `HF_ENDPOINT`, else `https://huggingface.co`;
/// - token: the file `hub.token-file` names, else `HF_TOKEN`, else none;
/// - offline: `hub.offline`, else `HF_HUB_OFFLINE` (1/true/yes/on);
/// - cache: `hub.cache-dir`, else `HF_HUB_CACHE`, else `$HF_HOME/hub`, else
///   `~/.cache/huggingface/hub`;
/// - CA bundle: `hub.ca-file`, else `REQUESTS_CA_BUNDLE`, else `CURL_CA_BUNDLE` (what
///   `huggingface_hub`'s `requests` reads), else `SSL_CERT_FILE`, else none: the system store.
///   A bundle *replaces* the system store for hub requests (as `curl --cacert` and
///   `requests`' `verify=PATH` do); to trust both, concatenate them into one file.
public struct HubSettings: Sendable, Equatable {
    /// The hub's base URL, without a trailing slash.
    public var endpoint: String
    /// The bearer token sent with every request, if any.
    public var token: String?
    /// Whether no request may be made (the cache alone answers).
    public var offline: Bool
    /// The cache folder (`.../hub`), holding `models--ORG--NAME` folders.
    public var cacheDirectory: String
    /// The PEM bundle that alone verifies the hub's certificate, or nil for the system store.
    public var caFile: String?

    /// The public hub.
    public static let defaultEndpoint = "https://huggingface.co"

    /// Settings given directly (tests).
    public init(endpoint: String, token: String?, offline: Bool, cacheDirectory: String, caFile: String? = nil) {
        self.endpoint = Self.trimmedEndpoint(endpoint)
        self.token = token
        self.offline = offline
        self.cacheDirectory = cacheDirectory
        self.caFile = caFile
    }

    /// Resolves the settings: a non-nil argument wins over the environment.
    /// - Throws: `HubError.cacheError` when the token file cannot be read.
    public static func resolve(
        endpoint: String?, tokenFile: String?, offline: Bool, cacheDirectory: String?, caFile: String? = nil,
        environment: [String: String]
    ) throws(HubError) -> HubSettings {
        let endpoint = nonEmpty(endpoint) ?? nonEmpty(environment["HF_ENDPOINT"]) ?? defaultEndpoint
        var token = nonEmpty(environment["HF_TOKEN"])
        if let tokenFile = nonEmpty(tokenFile) {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw .cacheError("cannot read hub.token-file \(tokenFile)")
            }
            token = nonEmpty(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let offline = offline || isTruthy(environment["HF_HUB_OFFLINE"])
        let cache = nonEmpty(cacheDirectory) ?? nonEmpty(environment["HF_HUB_CACHE"])
            ?? nonEmpty(environment["HF_HOME"]).map { $0 + "/hub" }
            ?? ((nonEmpty(environment["HOME"]) ?? NSHomeDirectory()) + "/.cache/huggingface/hub")
        let bundle = nonEmpty(caFile) ?? nonEmpty(environment["REQUESTS_CA_BUNDLE"])
            ?? nonEmpty(environment["CURL_CA_BUNDLE"]) ?? nonEmpty(environment["SSL_CERT_FILE"])
        return HubSettings(endpoint: endpoint, token: token, offline: offline, cacheDirectory: cache, caFile: bundle)
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    private static func isTruthy(_ text: String?) -> Bool {
        guard let text else { return false }
        return ["1", "true", "yes", "on"].contains(text.lowercased())
    }

    private static func trimmedEndpoint(_ endpoint: String) -> String {
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        return endpoint
    }
}
