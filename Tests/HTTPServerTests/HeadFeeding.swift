import HTTPServer
import TestSupport
import Testing

/// A parsed head copied out of the (short-lived) buffer, so outcomes can be compared.
struct HeadSnapshot: Equatable {
    var method: HTTPMethod
    var target: String
    var path: String
    var query: String?
    var authority: String?
    var version: HTTPVersion
    var fields: [Field]
    var contentLength: Int?
    var isChunked: Bool
    var keepAlive: Bool
    var expectsContinue: Bool
    var isUpgradeRequest: Bool

    struct Field: Equatable {
        var name: String
        var value: String
    }

    init(_ head: HTTPRequestHead, in buffer: UnsafeRawBufferPointer) {
        func text(_ range: Range<Int>) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)
        }
        method = head.method
        target = text(head.target)
        path = text(head.path)
        query = head.query.map(text)
        authority = head.authority.map(text)
        version = head.version
        fields = head.fields.map { Field(name: text($0.name), value: text($0.value)) }
        contentLength = head.contentLength
        isChunked = head.isChunked
        keepAlive = head.keepAlive
        expectsContinue = head.expectsContinue
        isUpgradeRequest = head.isUpgradeRequest
    }
}

/// What one parser made of one prefix.
enum HeadOutcome: Equatable {
    case needMoreBytes
    case complete(consumed: Int, head: HeadSnapshot)
    case failed(HTTPParseError)

    var isFinal: Bool { self != .needMoreBytes }
}

/// Feeds `bytes` whole, byte by byte and at 20 seeded random splits, one fresh parser each.
func feedHead(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> SplitFeedReport<HeadOutcome> {
    ByteSplitting.feedAll(bytes, isFinal: \.isFinal) {
        var parser = HTTPHeadParser(limits: limits)
        return { prefix in
            do throws(HTTPParseError) {
                switch try parser.parse(prefix) {
                case .needMoreBytes: return .needMoreBytes
                case .complete(let consumed): return .complete(consumed: consumed, head: HeadSnapshot(parser.head, in: prefix))
                }
            } catch {
                return .failed(error)
            }
        }
    }
}

/// Expects `text` to parse as one complete head under every split, reported only once its
/// last byte arrived, and returns the head.
@discardableResult
func expectHead(
    _ text: String, limits: HTTPLimits = HTTPLimits(), sourceLocation: SourceLocation = #_sourceLocation
) -> HeadSnapshot? {
    let bytes = Array(text.utf8)
    let report = feedHead(bytes, limits: limits)
    #expect(report.inconsistentSplits.isEmpty, "splits disagree", sourceLocation: sourceLocation)
    #expect(report.allSettledAtEnd, "a proper prefix was not .needMoreBytes", sourceLocation: sourceLocation)
    guard case .complete(let consumed, let head) = report.output else {
        Issue.record("expected a head, got \(report.output)", sourceLocation: sourceLocation)
        return nil
    }
    #expect(consumed == bytes.count, sourceLocation: sourceLocation)
    return head
}

/// Expects `text` to fail with `error` under every split.
func expectFailure(
    _ text: String, _ error: HTTPParseError, limits: HTTPLimits = HTTPLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectFailure(Array(text.utf8), error, limits: limits, sourceLocation: sourceLocation)
}

/// Expects `bytes` to fail with `error` under every split.
func expectFailure(
    _ bytes: [UInt8], _ error: HTTPParseError, limits: HTTPLimits = HTTPLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let report = feedHead(bytes, limits: limits)
    let wrong = report.outcomes.filter { $0.outcome.output != .failed(error) }
    #expect(wrong.isEmpty, "\(wrong.count) splits, first: \(wrong.first.map { "\($0.split): \($0.outcome.output)" } ?? "")",
            sourceLocation: sourceLocation)
}

extension HTTPLimits {
    /// Default limits with the given overrides, for tests.
    static func with(
        maxHeaderBytes: Int? = nil, maxHeaderCount: Int? = nil, maxURIBytes: Int? = nil
    ) -> HTTPLimits {
        var limits = HTTPLimits()
        if let maxHeaderBytes { limits.maxHeaderBytes = maxHeaderBytes }
        if let maxHeaderCount { limits.maxHeaderCount = maxHeaderCount }
        if let maxURIBytes { limits.maxURIBytes = maxURIBytes }
        return limits
    }
}
