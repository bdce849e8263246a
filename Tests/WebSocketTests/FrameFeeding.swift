import TestSupport
import Testing
import WebSocket

/// What one decoder made of one prefix.
enum FrameOutcome: Equatable {
    case needMoreBytes
    case frame(WebSocketFrame, consumed: Int)
    case failed(WebSocketProtocolError)

    var isFinal: Bool { self != .needMoreBytes }
}

/// Feeds the growing prefixes of one frame's bytes whole, byte by byte and at 20 seeded
/// random splits, one fresh decoder each.
func feedFrame(
    _ bytes: [UInt8], limits: WebSocketLimits = WebSocketLimits(),
    allowsCompressedFrames: Bool = false, requiresMaskedFrames: Bool = true
) -> SplitFeedReport<FrameOutcome> {
    ByteSplitting.feedAll(bytes, isFinal: \.isFinal) {
        var decoder = WebSocketFrameDecoder(
            limits: limits, allowsCompressedFrames: allowsCompressedFrames, requiresMaskedFrames: requiresMaskedFrames)
        return { prefix in
            do throws(WebSocketProtocolError) {
                switch try decoder.decode(prefix) {
                case .needMoreBytes: return .needMoreBytes
                case .frame(let frame, let consumed): return .frame(frame, consumed: consumed)
                }
            } catch {
                return .failed(error)
            }
        }
    }
}

/// Expects `bytes` to decode as exactly one frame under every split, reported only once
/// its last byte arrived, and returns it.
@discardableResult
func expectFrame(
    _ bytes: [UInt8], requiresMaskedFrames: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
) -> WebSocketFrame? {
    let report = feedFrame(bytes, requiresMaskedFrames: requiresMaskedFrames)
    #expect(report.inconsistentSplits.isEmpty, "splits disagree", sourceLocation: sourceLocation)
    #expect(report.allSettledAtEnd, "a proper prefix was not .needMoreBytes", sourceLocation: sourceLocation)
    guard case .frame(let frame, let consumed) = report.output else {
        Issue.record("expected a frame, got \(report.output)", sourceLocation: sourceLocation)
        return nil
    }
    #expect(consumed == bytes.count, sourceLocation: sourceLocation)
    return frame
}

/// Expects `bytes` to fail with `error` under every split, and returns the length of the
/// shortest prefix that failed (to check that validation happens early).
@discardableResult
func expectFrameError(
    _ bytes: [UInt8], _ error: WebSocketProtocolError, limits: WebSocketLimits = WebSocketLimits(),
    allowsCompressedFrames: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
) -> Int? {
    let report = feedFrame(bytes, limits: limits, allowsCompressedFrames: allowsCompressedFrames)
    #expect(report.inconsistentSplits.isEmpty, "splits disagree", sourceLocation: sourceLocation)
    #expect(report.output == .failed(error), sourceLocation: sourceLocation)
    return report.outcomes.first { $0.split == .byteByByte }?.outcome.prefixLength
}

/// What a connection-like reader made of a byte stream: the frames decoded in order, and
/// the error that stopped it, if any.
struct StreamOutcome: Equatable {
    var frames: [WebSocketFrame] = []
    var error: WebSocketProtocolError?
}

/// Feeds `bytes` as a connection would: each delivery is appended to a buffer, frames are
/// decoded from its front until it runs dry, and consumed bytes are dropped.
func decodeStream(
    _ bytes: [UInt8], split: ByteSplit, limits: WebSocketLimits = WebSocketLimits(),
    allowsCompressedFrames: Bool = false, requiresMaskedFrames: Bool = true
) -> StreamOutcome {
    var decoder = WebSocketFrameDecoder(
        limits: limits, allowsCompressedFrames: allowsCompressedFrames, requiresMaskedFrames: requiresMaskedFrames)
    var buffer: [UInt8] = []
    var outcome = StreamOutcome()
    for chunk in split.chunks(of: bytes) {
        buffer.append(contentsOf: chunk)
        while true {
            let result = buffer.withUnsafeBytes { bytes in
                Result { () throws(WebSocketProtocolError) in try decoder.decode(bytes) }
            }
            switch result {
            case .success(.frame(let frame, let consumed)):
                outcome.frames.append(frame)
                buffer.removeFirst(consumed)
            case .success(.needMoreBytes):
                break
            case .failure(let error):
                outcome.error = error
                return outcome
            }
            if case .success(.needMoreBytes) = result { break }
        }
    }
    return outcome
}

/// Masks `frames` as a client would, with a fixed key per frame, and concatenates them.
func clientBytes(_ frames: [WebSocketFrame], key: WebSocketMaskingKey = WebSocketMaskingKey(0x37, 0xFA, 0x21, 0x3D)) -> [UInt8] {
    var out: [UInt8] = []
    for frame in frames {
        WebSocketFrameEncoder.encode(
            opcode: frame.opcode, payload: frame.payload, fin: frame.fin, rsv1: frame.rsv1, maskingKey: key, into: &out)
    }
    return out
}
