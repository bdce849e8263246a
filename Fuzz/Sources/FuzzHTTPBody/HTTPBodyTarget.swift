import FuzzSupport
import HTTPServer

/// What one decoder made of the bytes.
private struct Outcome: Equatable {
    var body: [UInt8]
    var consumed: Int
    var isComplete: Bool
    var error: HTTPParseError?
}

/// Decodes a body with `HTTPBodyDecoder`: the first byte picks the framing (bit 0: chunked,
/// else `Content-Length` = the second byte) and `maxBodyBytes` (the other bits × 16), the rest
/// is the body's bytes, fed whole and then in 1-3 deliveries. Checks that the decoded body is
/// never longer than the input nor than `maxBodyBytes`, that no more is consumed than given,
/// and that every split decodes the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    guard input.count >= 2 else { return 0 }
    let control = input[0]
    let maxBodyBytes = Int(control >> 1) * 16
    let framing: HTTPBodyDecoder.Framing = control & 1 == 1 ? .chunked : .contentLength(Int(input[1]))
    let stream = UnsafeRawBufferPointer(rebasing: input[2...])
    let whole = decode(stream, cuts: [], framing: framing, maxBodyBytes: maxBodyBytes)
    for count in 1...3 {
        let cuts = fuzzCuts(length: stream.count, seed: input[1] &+ UInt8(count), count: count)
        let split = decode(stream, cuts: cuts, framing: framing, maxBodyBytes: maxBodyBytes)
        fuzzCheck(split == whole, "split decoding gave \(split), whole decoding \(whole)")
    }
    return 0
}

/// Decodes `stream` delivered in pieces ending at each cut and at its end.
private func decode(
    _ stream: UnsafeRawBufferPointer, cuts: [Int], framing: HTTPBodyDecoder.Framing, maxBodyBytes: Int
) -> Outcome {
    var body: [UInt8] = []
    var consumed = 0
    var decoder: HTTPBodyDecoder
    do throws(HTTPParseError) {
        decoder = try HTTPBodyDecoder(framing: framing, maxBodyBytes: maxBodyBytes)
    } catch {
        return Outcome(body: [], consumed: 0, isComplete: false, error: error)
    }
    var start = 0
    for end in cuts + [stream.count] where !decoder.isComplete {
        let piece = UnsafeRawBufferPointer(rebasing: stream[start..<end])
        do throws(HTTPParseError) {
            let used = try decoder.decode(piece, into: &body)
            fuzzCheck(used >= 0 && used <= piece.count, "consumed \(used) of \(piece.count) bytes")
            fuzzCheck(used == piece.count || decoder.isComplete, "stopped at \(used) of \(piece.count) bytes before the end")
            consumed += used
        } catch {
            check(body, stream: stream, maxBodyBytes: maxBodyBytes)
            // Where in a delivery the error struck depends on the split; the body does not.
            return Outcome(body: body, consumed: 0, isComplete: false, error: error)
        }
        start = end
    }
    check(body, stream: stream, maxBodyBytes: maxBodyBytes)
    return Outcome(body: body, consumed: consumed, isComplete: decoder.isComplete, error: nil)
}

private func check(_ body: [UInt8], stream: UnsafeRawBufferPointer, maxBodyBytes: Int) {
    fuzzCheck(body.count <= stream.count, "decoded \(body.count) bytes from \(stream.count)")
    fuzzCheck(body.count <= maxBodyBytes, "decoded \(body.count) bytes past maxBodyBytes \(maxBodyBytes)")
}
