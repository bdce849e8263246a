import FuzzSupport
import WebSocket

/// Small limits, so that the size checks and the inflate bound are within reach.
private let limits = WebSocketLimits(maxFrameBytes: 1024, maxMessageBytes: 4096)

/// What one connection made of the bytes: every frame and message, then the error, if any.
private struct Outcome: Equatable {
    var frames: [WebSocketFrame] = []
    var messages: [WebSocketMessage] = []
    var error: WebSocketProtocolError?
}

/// Runs client bytes through `WebSocketFrameDecoder` and `WebSocketMessageAssembler` (with an
/// `Inflater` when permessage-deflate is on), as a connection does. The first byte picks the
/// options (bit 0: permessage-deflate, bit 1: masking required, bit 2: inflater keeps its
/// context); the rest is the stream, fed whole and then grown through 1-3 cut points.
/// Checks: a frame consumes no more than it was given and its payload is never longer than
/// the bytes it took or than `maxFrameBytes`; a message (inflated or not) is never longer than
/// `maxMessageBytes`, and a text message is valid UTF-8 by the standard library's own
/// validation; every split gives the same frames, messages and error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    guard let control = input.first else { return 0 }
    let stream = UnsafeRawBufferPointer(rebasing: input[1...])
    let whole = run(stream, cuts: [], control: control)
    for count in 1...3 {
        let cuts = fuzzCuts(length: stream.count, seed: control &+ UInt8(count), count: count)
        let split = run(stream, cuts: cuts, control: control)
        fuzzCheck(split == whole, "split feeding gave \(split), whole feeding \(whole)")
    }
    return 0
}

private func run(_ stream: UnsafeRawBufferPointer, cuts: [Int], control: UInt8) -> Outcome {
    let deflate = control & 1 != 0
    var decoder = WebSocketFrameDecoder(limits: limits, allowsCompressedFrames: deflate, requiresMaskedFrames: control & 2 != 0)
    var assembler = WebSocketMessageAssembler(limits: limits, inflater: deflate ? Inflater(keepsContext: control & 4 != 0) : nil)
    var outcome = Outcome()
    var start = 0
    for end in cuts + [stream.count] {
        while start < end {
            let buffer = UnsafeRawBufferPointer(rebasing: stream[start..<end])
            do throws(WebSocketProtocolError) {
                guard case .frame(let frame, let consumed) = try decoder.decode(buffer) else { break }
                fuzzCheck(consumed > 0 && consumed <= buffer.count, "consumed \(consumed) of \(buffer.count) bytes")
                fuzzCheck(frame.payload.count < consumed, "a \(frame.payload.count)-byte payload from \(consumed) bytes")
                fuzzCheck(frame.payload.count <= limits.maxFrameBytes, "a \(frame.payload.count)-byte payload past maxFrameBytes")
                start += consumed
                outcome.frames.append(frame)
                if let message = try assembler.frameReceived(frame) {
                    check(message)
                    outcome.messages.append(message)
                }
            } catch {
                outcome.error = error
                return outcome
            }
        }
    }
    return outcome
}

private func check(_ message: WebSocketMessage) {
    switch message {
    case .text(let bytes):
        fuzzCheck(bytes.count <= limits.maxMessageBytes, "a \(bytes.count)-byte message past maxMessageBytes")
        fuzzCheck(String(validating: bytes, as: UTF8.self) != nil, "a text message that is not UTF-8: \(bytes)")
    case .binary(let bytes):
        fuzzCheck(bytes.count <= limits.maxMessageBytes, "a \(bytes.count)-byte message past maxMessageBytes")
    case .ping(let bytes), .pong(let bytes):
        fuzzCheck(bytes.count <= 125, "a \(bytes.count)-byte control payload")
    case .close(_, let reason):
        fuzzCheck(reason.utf8.count <= 123, "a \(reason.utf8.count)-byte close reason")
    }
}
