/// The hub's HTTP API as `huggingface_hub` speaks it: the revision and tree answers, and the
/// `resolve/` URLs of files. Blocking; call it from a dedicated thread.
public struct HubClient: Sendable {
    /// Endpoint, token and cache.
    public let settings: HubSettings
    /// A request that moves no byte for this long fails (and is retried).
    public let stallSeconds: Int
    /// Attempts of one request or one file without progress before it fails.
    public let maxAttempts: Int
    /// The first retry's delay; each next one doubles it, up to 8 s.
    public let firstBackoff: Duration

    /// A client for the hub `settings` name.
    public init(settings: HubSettings, stallSeconds: Int = 30, maxAttempts: Int = 5, firstBackoff: Duration = .milliseconds(500)) {
        self.settings = settings
        self.stallSeconds = stallSeconds
        self.maxAttempts = maxAttempts
        self.firstBackoff = firstBackoff
    }

    /// `{endpoint}/api/models/{repo}/revision/{rev}` (the revision escaped, `/` too).
    public func revisionURL(_ reference: HubReference) -> String {
        "\(settings.endpoint)/api/models/\(reference.repositoryID)/revision/\(Self.escape(reference.revision, keepSlash: false))"
    }

    /// `{endpoint}/api/models/{repo}/tree/{commit}?recursive=true`.
    public func treeURL(_ reference: HubReference, commit: String) -> String {
        "\(settings.endpoint)/api/models/\(reference.repositoryID)/tree/\(commit)?recursive=true"
    }

    /// `{endpoint}/{repo}/resolve/{commit}/{file}`.
    public func resolveURL(_ reference: HubReference, commit: String, file: String) -> String {
        "\(settings.endpoint)/\(reference.repositoryID)/resolve/\(commit)/\(Self.escape(file, keepSlash: true))"
    }

    /// Resolves the revision to a commit and lists the files of its tree.
    public func repositoryInfo(_ reference: HubReference, cancellation: HubCancellation) throws(HubError) -> HubRepositoryInfo {
        let commit = try HubRepositoryInfo.parseCommit(revisionJSON: getSmall(revisionURL(reference), cancellation: cancellation))
        let files = try HubRepositoryInfo.parseFiles(treeJSON: getSmall(treeURL(reference, commit: commit), cancellation: cancellation))
        return HubRepositoryInfo(commit: commit, files: files)
    }

    /// The `Authorization` header, if a token is set.
    var authorizationHeaders: [String] {
        settings.token.map { ["Authorization: Bearer \($0)"] } ?? []
    }

    /// GETs a small answer (JSON) with retries on transient failures.
    func getSmall(_ url: String, cancellation: HubCancellation) throws(HubError) -> [UInt8] {
        let request = HubRequest(url: url, headers: authorizationHeaders, stallSeconds: stallSeconds, caFile: settings.caFile)
        return try performSmall(request, verb: "GET", cancellation: cancellation).body
    }

    /// Performs a request whose answer is small (a JSON GET, a HEAD), retrying transport
    /// failures and transient statuses (`isTransient`) with backoff; the 2xx response and its
    /// body (at most 64 MiB). `verb` names the request in errors.
    func performSmall(_ request: HubRequest, verb: String,
                      cancellation: HubCancellation) throws(HubError) -> (response: HubResponse, body: [UInt8]) {
        let url = request.url
        var attempt = 0
        while true {
            var body: [UInt8] = []
            let response: HubResponse
            do throws(HubTransferFailure) {
                response = try HubTransfer.perform(request, cancellation: cancellation) { _, bytes in
                    body.append(contentsOf: bytes)
                    return body.count <= 64 << 20
                }
            } catch {
                switch error {
                case .cancelled: throw .cancelled
                case .untrusted(let message): throw .downloadFailed("\(verb) \(url): \(message)")
                case .sinkFailed: throw .downloadFailed("\(verb) \(url): answer larger than 64 MiB")
                case .transport(let message):
                    try retryOrThrow(.downloadFailed("\(verb) \(url): \(message)"), attempt: &attempt, cancellation: cancellation)
                    continue
                }
            }
            guard let failure = Self.classify(status: response.status, url: url) else { return (response, body) }
            guard Self.isTransient(status: response.status) else { throw failure }
            try retryOrThrow(failure, attempt: &attempt, cancellation: cancellation)
        }
    }

    /// Waits the backoff of `attempt` and counts it, or throws `failure` when attempts are spent.
    func retryOrThrow(_ failure: HubError, attempt: inout Int, cancellation: HubCancellation) throws(HubError) {
        attempt += 1
        guard attempt < maxAttempts else { throw failure }
        try cancellation.sleep(Self.backoff(attempt: attempt, first: firstBackoff))  // a real wait: the backoff before a retry
    }

    /// The delay before retry `attempt` (1-based): `first`, doubling, at most 8 s.
    public static func backoff(attempt: Int, first: Duration) -> Duration {
        min(first * (1 << min(attempt - 1, 16)), .seconds(8))
    }

    /// The error an HTTP status stands for, or nil for success (2xx).
    public static func classify(status: Int, url: String) -> HubError? {
        switch status {
        case 200..<300: nil
        case 401, 403: .unauthorized("HTTP \(status) for \(url)")
        case 404: .notFound("HTTP 404 for \(url)")
        default: .downloadFailed("HTTP \(status) for \(url)")
        }
    }

    /// Whether a status is worth retrying: 408, 429 and 5xx.
    public static func isTransient(status: Int) -> Bool {
        status == 408 || status == 429 || (500..<600).contains(status)
    }

    /// Percent-escapes a URL path component (RFC 3986 unreserved characters stay).
    public static func escape(_ text: String, keepSlash: Bool) -> String {
        var escaped = ""
        for byte in text.utf8 {
            let isUnreserved = (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
            if isUnreserved || (keepSlash && byte == UInt8(ascii: "/")) {
                escaped.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                escaped += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return escaped
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
