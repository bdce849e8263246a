import ModelRuntime

/// The knobs of one model's embeddings batcher (`embeddings.max-batch-size`,
/// `embeddings.max-batch-wait`, `embeddings.max-batch-tokens`, `embeddings.max-queued-tokens`).
struct EmbeddingBatchSettings: Sendable, Equatable {
    /// Most texts in one forward pass. Default 32.
    var maxBatchTexts: Int
    /// Largest forward pass in padded tokens (texts × longest text). Default 8192.
    var maxBatchTokens: Int
    /// Most tokens admitted and not yet answered. Default 131,072.
    var maxQueuedTokens: Int
    /// How long a request that finds the model idle waits for others before its pass runs;
    /// zero (the default) runs it at once. Requests that arrive while a pass runs never wait
    /// for this: they join the next pass, which starts as soon as that one ends.
    var maxWait: Duration
}

/// One model's queue of tokenized embedding requests and the forward passes made from it:
/// the batcher's state machine, without threads or clocks (STYLE P1; `EmbeddingBatcher` is
/// its shell).
///
/// Policy:
/// - Start (TEI's policy): a request that finds no pass running or scheduled starts passes
///   at once, or after `maxWait` when that is positive and no full pass is queued yet;
///   requests that arrive while passes run are batched into the next pass, which starts as
///   soon as the running one ends. Batches so grow with the load and never add latency to a
///   lone request.
/// - Admission: a request is admitted when nothing is admitted yet, or when its tokens fit
///   under `maxQueuedTokens` together with every token admitted and not yet answered
///   (queued or running); otherwise it is refused as overloaded, before anything is queued.
/// - Passes take texts first in, first out, across requests, while the pass holds at most
///   `maxBatchTexts` texts and its padded size (texts × longest text) stays within
///   `maxBatchTokens`. A request may so be split over several passes, and a pass may hold
///   several requests; a text longer than `maxBatchTokens` runs alone.
/// - A request is answered when its last text has been embedded, with its vectors in the
///   order of its texts; if a pass holding any of its texts fails, it fails whole and its
///   texts not yet embedded are dropped.
struct EmbeddingQueue<Waiter> {
    /// Texts taken for one forward pass, and whose they are.
    struct Pass {
        /// Token rows, in queue order.
        var rows: [[Int32]]
        /// Rows × longest row.
        var paddedTokens: Int
        /// Consecutive runs of `rows` by request.
        fileprivate var segments: [(request: UInt64, count: Int)]
    }

    /// What the shell must do after admitting a request.
    enum Start: Equatable {
        /// Nothing: passes are already running or scheduled, and will take it.
        case none
        /// Run passes now.
        case now
        /// Run passes after this wait (for others to join the first one).
        case after(Duration)
    }

    /// A request that is done, for its waiter.
    enum Outcome {
        case finished(Waiter, EmbeddingBatch)
        case failed(Waiter, ModelRuntimeError)
    }

    private struct Request {
        let id: UInt64
        let waiter: Waiter
        /// Token rows; each is emptied once a pass has taken it.
        var rows: [[Int32]]
        let tokenCount: Int
        /// First row no pass has taken yet.
        var nextRow = 0
        var vectors: [[Float]] = []
        var tokenCounts: [Int] = []
    }

    var settings: EmbeddingBatchSettings
    private var requests: [Request] = []
    private var nextID: UInt64 = 0
    /// Tokens of the requests admitted and not yet answered.
    private(set) var admittedTokens = 0
    /// Rows no pass has taken yet.
    private(set) var queuedTexts = 0
    /// Tokens of the rows no pass has taken yet.
    private(set) var queuedTokens = 0
    /// Padded tokens of the pass taken and not yet finished (0 when none runs).
    private(set) var runningPassTokens = 0
    /// Vectors held for requests partly embedded.
    private(set) var heldVectors = 0
    /// Tokens per second of recent passes (an exponential moving average), once one ran.
    private(set) var tokensPerSecond: Double?
    /// Whether passes are running or scheduled: from a `start()` that answered `.now` or
    /// `.after` until `takePass()` finds nothing queued.
    private(set) var isScheduled = false

    init(settings: EmbeddingBatchSettings) {
        self.settings = settings
    }

    /// Admits a request of `rows` (each a text's token ids; at least one row), or refuses it
    /// when the queue is full. Returns whether it was admitted.
    mutating func admit(_ rows: [[Int32]], waiter: Waiter) -> Bool {
        precondition(!rows.isEmpty, "an embeddings request has at least one text (the parsers check)")
        let tokens = rows.reduce(0) { $0 + $1.count }
        guard admittedTokens == 0 || admittedTokens + tokens <= settings.maxQueuedTokens else { return false }
        nextID += 1
        requests.append(Request(id: nextID, waiter: waiter, rows: rows, tokenCount: tokens))
        admittedTokens += tokens
        queuedTexts += rows.count
        queuedTokens += tokens
        return true
    }

    /// Called after a request is admitted: whether passes must be started, and when.
    mutating func start() -> Start {
        guard !isScheduled, queuedTexts > 0 else { return .none }
        isScheduled = true
        return hasFullPass || settings.maxWait <= .zero ? .now : .after(settings.maxWait)
    }

    /// Whether enough is queued for a full pass, so waiting for more would gain nothing.
    var hasFullPass: Bool {
        queuedTexts >= settings.maxBatchTexts || queuedTokens >= settings.maxBatchTokens
    }

    /// Takes the next pass, or nil when no text is queued (passes then stop: the next
    /// `start()` starts them again).
    mutating func takePass() -> Pass? {
        guard queuedTexts > 0 else {
            isScheduled = false
            return nil
        }
        var pass = Pass(rows: [], paddedTokens: 0, segments: [])
        var longest = 0
        filling: for index in requests.indices where requests[index].nextRow < requests[index].rows.count {
            var taken = 0
            while requests[index].nextRow < requests[index].rows.count {
                let row = requests[index].rows[requests[index].nextRow]
                let widest = max(longest, row.count)
                if !pass.rows.isEmpty,
                   pass.rows.count + 1 > settings.maxBatchTexts || (pass.rows.count + 1) * widest > settings.maxBatchTokens {
                    if taken > 0 { pass.segments.append((requests[index].id, taken)) }
                    break filling
                }
                pass.rows.append(row)
                requests[index].rows[requests[index].nextRow] = []
                requests[index].nextRow += 1
                longest = widest
                taken += 1
                queuedTokens -= row.count
            }
            pass.segments.append((requests[index].id, taken))
        }
        queuedTexts -= pass.rows.count
        pass.paddedTokens = pass.rows.count * longest
        runningPassTokens = pass.paddedTokens
        return pass
    }

    /// Hands `pass`'s result to its requests; returns those now done, in queue order.
    /// `elapsed` is how long the pass took (for `retryAfterSeconds`).
    mutating func passFinished(_ pass: Pass, result: Result<EmbeddingBatch, ModelRuntimeError>,
                               elapsed: Duration) -> [Outcome] {
        runningPassTokens = 0
        switch result {
        case .success(let batch):
            recordRate(tokens: batch.tokenCount, elapsed: elapsed)
            return distribute(batch, over: pass.segments)
        case .failure(let error):
            return pass.segments.compactMap { segment in
                remove(segment.request).map { .failed($0.waiter, error) }
            }
        }
    }

    private mutating func distribute(_ batch: EmbeddingBatch, over segments: [(request: UInt64, count: Int)]) -> [Outcome] {
        var outcomes: [Outcome] = []
        var offset = 0
        for segment in segments {
            let range = offset..<(offset + segment.count)
            offset = range.upperBound
            guard let index = requests.firstIndex(where: { $0.id == segment.request }) else { continue }
            requests[index].vectors += batch.vectors[range]
            requests[index].tokenCounts += batch.tokenCounts[range]
            heldVectors += segment.count
            if requests[index].vectors.count == requests[index].rows.count, let done = remove(segment.request) {
                let counts = done.tokenCounts
                outcomes.append(.finished(done.waiter, EmbeddingBatch(vectors: done.vectors, tokenCount: counts.reduce(0, +),
                                                                      tokenCounts: counts)))
            }
        }
        return outcomes
    }

    /// Forgets a request, with its untaken rows and held vectors.
    private mutating func remove(_ id: UInt64) -> Request? {
        guard let index = requests.firstIndex(where: { $0.id == id }) else { return nil }
        let request = requests.remove(at: index)
        let untaken = request.rows[request.nextRow...]
        queuedTexts -= untaken.count
        queuedTokens -= untaken.reduce(0) { $0 + $1.count }
        admittedTokens -= request.tokenCount
        heldVectors -= request.vectors.count
        return request
    }

    private mutating func recordRate(tokens: Int, elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        guard tokens > 0, seconds > 0 else { return }
        let rate = Double(tokens) / seconds
        tokensPerSecond = tokensPerSecond.map { 0.8 * $0 + 0.2 * rate } ?? rate
    }

    /// Seconds until the tokens admitted now are answered, at the recent rate: what
    /// `Retry-After` tells a refused client. At least 1; 1 before any pass has run; at most
    /// an hour.
    var retryAfterSeconds: Int {
        guard let rate = tokensPerSecond, rate > 0 else { return 1 }
        return Int(min(3600, max(1, (Double(admittedTokens) / rate).rounded(.up))))
    }

    /// Bytes the queue's work holds or is about to allocate: the scratch of the running pass
    /// (or of the next one, whichever is larger: passes run one at a time), the queued token
    /// ids, and the vectors held for partly embedded requests.
    func reservedBytes(scratchBytesPerToken: Int, dimension: Int) -> Int {
        let nextPass = min(settings.maxBatchTokens, queuedTokens)
        let pass = max(runningPassTokens, nextPass) * scratchBytesPerToken
        return pass + queuedTokens * MemoryLayout<Int32>.stride + heldVectors * dimension * MemoryLayout<Float>.stride
    }
}
