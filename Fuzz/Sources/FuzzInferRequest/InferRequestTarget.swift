import FuzzSupport
@testable import ModelServer

/// Texts per request in this target; small, so the limit is reached.
private let maxInputs = 8

/// Parses an OIP infer body with `InferRequest.parse`. An input that starts with `#` carries
/// an `Inference-Header-Content-Length` value: the bytes after `#` up to the first newline;
/// the rest is the body (JSON, then binary tensor data). Otherwise the whole input is the
/// body and there is no header. Checks: no trap; an accepted request has 1...maxInputs texts,
/// and no more text bytes than the body has.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = [UInt8](fuzzBytes(data, size))
    var header: String?
    var body = input
    if input.first == UInt8(ascii: "#"), let newline = input.firstIndex(of: UInt8(ascii: "\n")) {
        header = String(decoding: input[1..<newline], as: UTF8.self)
        body = Array(input[(newline + 1)...])
    }
    guard case .success(let request) = InferRequest.parse(body, jsonLengthHeader: header, maxInputs: maxInputs) else { return 0 }
    fuzzCheck(!request.texts.isEmpty && request.texts.count <= maxInputs, "\(request.texts.count) texts accepted")
    let textBytes = request.texts.reduce(0) { $0 + $1.utf8.count }
    fuzzCheck(textBytes <= body.count, "\(textBytes) text bytes from a \(body.count)-byte body")
    return 0
}
