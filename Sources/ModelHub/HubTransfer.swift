import CCurl

/// One HTTP request to the hub, as libcurl runs it.
struct HubRequest {
    /// The absolute URL.
    var url: String
    /// Extra header lines (`Range: bytes=N-`, `Authorization: Bearer ...`).
    var headers: [String] = []
    /// HEAD instead of GET.
    var isHead = false
    /// Follow redirects (GET of large files); HEAD keeps the redirect's own headers.
    var followRedirects = true
    /// A transfer slower than 1 byte/s for this long fails (a stalled hub).
    var stallSeconds = 30
    /// The PEM bundle that alone verifies the server's certificate; nil for the system store.
    var caFile: String?
}

/// The final response's status and headers (names lower-cased; the last response of a
/// redirect chain).
struct HubResponse {
    var status: Int
    var headers: [String: String]
    /// The first bytes of an error answer's body (for messages), at most 4 KiB.
    var errorBody: [UInt8]
}

/// Why a transfer did not complete.
enum HubTransferFailure: Error {
    /// The cancellation flag was set.
    case cancelled
    /// A connection, TLS, timeout or socket error: worth retrying.
    case transport(String)
    /// The server's certificate failed verification, or the CA bundle could not be used:
    /// retrying cannot help, and there is no unverified fallback.
    case untrusted(String)
    /// The body sink refused the bytes (its own error is kept by the caller).
    case sinkFailed
}

/// Runs HTTP requests with libcurl on the calling thread, which must be a dedicated thread:
/// the call blocks until the transfer ends. libcurl's multi interface is polled every 50 ms,
/// so a cancel takes effect within that even when the hub sends nothing. Proxies come from
/// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (libcurl reads them); TLS is OpenSSL's, always
/// verifying the peer against the request's CA bundle or the system store.
enum HubTransfer {
    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Performs `request`; body bytes of a successful (< 300) final response go to `sink`
    /// with the status, which returns false to abort.
    static func perform(
        _ request: HubRequest, cancellation: HubCancellation,
        sink: (Int, UnsafeRawBufferPointer) -> Bool
    ) throws(HubTransferFailure) -> HubResponse {
        guard globalInit, let easy = curl_easy_init() else { throw .transport("libcurl failed to initialise") }
        defer { curl_easy_cleanup(easy) }
        return try withoutActuallyEscaping(sink) { sink throws(HubTransferFailure) in
            let context = TransferContext(sink: sink)
            let unmanaged = Unmanaged.passRetained(context)
            defer { unmanaged.release() }
            let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
            errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
            defer { errorBuffer.deallocate() }
            var headerList: UnsafeMutablePointer<curl_slist>?
            for line in request.headers { headerList = curl_slist_append(headerList, line) }
            defer { curl_slist_free_all(headerList) }

            configure(easy, request, headerList: headerList, errorBuffer: errorBuffer, context: unmanaged.toOpaque())
            let result = try run(easy, cancellation: cancellation)
            if context.sinkRefused { throw .sinkFailed }
            guard result == CURLE_OK else {
                let detail = String(cString: errorBuffer)
                let message = detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail
                let text = "curl error \(result.rawValue): \(message)"
                if result == CURLE_PEER_FAILED_VERIFICATION || result == CURLE_SSL_CACERT_BADFILE {
                    throw .untrusted(text + " (the hub's certificate is not trusted: set hub.ca-file to its CA bundle)")
                }
                throw .transport(text)
            }
            return HubResponse(status: context.status, headers: context.headers, errorBody: context.errorBody)
        }
    }

    private static func configure(
        _ easy: UnsafeMutableRawPointer, _ request: HubRequest, headerList: UnsafeMutablePointer<curl_slist>?,
        errorBuffer: UnsafeMutablePointer<CChar>, context: UnsafeMutableRawPointer
    ) {
        _ = modeld_curl_setopt_string(easy, CURLOPT_URL, request.url)
        _ = modeld_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)
        _ = modeld_curl_setopt_long(easy, CURLOPT_NOBODY, request.isHead ? 1 : 0)
        _ = modeld_curl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
        _ = modeld_curl_setopt_long(easy, CURLOPT_MAXREDIRS, 10)
        _ = modeld_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = modeld_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT, 30)
        _ = modeld_curl_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, 1)
        _ = modeld_curl_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, max(1, request.stallSeconds))
        _ = modeld_curl_setopt_string(easy, CURLOPT_USERAGENT, "modeld")
        if let caFile = request.caFile {
            // The bundle replaces the system store: no CA directory besides it.
            _ = modeld_curl_setopt_string(easy, CURLOPT_CAINFO, caFile)
            _ = modeld_curl_setopt_string(easy, CURLOPT_CAPATH, nil)
        }
        _ = modeld_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = modeld_curl_setopt_write(easy, CURLOPT_HEADERFUNCTION, headerCallback)
        _ = modeld_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        _ = modeld_curl_setopt_write(easy, CURLOPT_WRITEFUNCTION, bodyCallback)
        _ = modeld_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
    }

    /// Drives the transfer through a multi handle, checking `cancellation` every 50 ms.
    private static func run(_ easy: UnsafeMutableRawPointer, cancellation: HubCancellation) throws(HubTransferFailure) -> CURLcode {
        guard let multi = curl_multi_init() else { throw .transport("libcurl failed to create a multi handle") }
        defer { curl_multi_cleanup(multi) }
        curl_multi_add_handle(multi, easy)
        defer { curl_multi_remove_handle(multi, easy) }
        var running: Int32 = 1
        while running > 0 {
            if cancellation.isCancelled { throw .cancelled }
            let code = curl_multi_perform(multi, &running)
            guard code == CURLM_OK else { throw .transport("curl multi error \(code.rawValue)") }
            if running > 0 { curl_multi_poll(multi, nil, 0, 50, nil) }
        }
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            if message.pointee.msg == CURLMSG_DONE { return message.pointee.data.result }
        }
        return CURLE_OK
    }
}

/// What libcurl's callbacks see of one transfer (reached through an opaque pointer).
private final class TransferContext {
    let sink: (Int, UnsafeRawBufferPointer) -> Bool
    var status = 0
    var headers: [String: String] = [:]
    var errorBody: [UInt8] = []
    var sinkRefused = false

    init(sink: @escaping (Int, UnsafeRawBufferPointer) -> Bool) {
        self.sink = sink
    }

    /// One header line; a status line starts a new response (after a redirect).
    func header(_ line: String) {
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = [:]
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            headers[name] = value
        }
    }
}

private func headerCallback(data: UnsafeMutablePointer<CChar>?, size: Int, count: Int, context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let length = size * count
    let bytes = UnsafeRawBufferPointer(start: data, count: length)
    let line = String(decoding: bytes, as: UTF8.self)
    Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue().header(line)
    return length
}

private func bodyCallback(data: UnsafeMutablePointer<CChar>?, size: Int, count: Int, context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let length = size * count
    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: length)
    if transfer.status >= 300 {
        transfer.errorBody.append(contentsOf: bytes.prefix(max(0, 4096 - transfer.errorBody.count)))
        return length
    }
    guard transfer.sink(transfer.status, bytes) else {
        transfer.sinkRefused = true
        return 0
    }
    return length
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, CR and LF.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
