import FuzzSupport
@testable import ModelServer

/// Texts per request in this target; small, so the limit is reached.
private let maxInputs = 8

/// Parses the input as a `POST /v1/embeddings` body with `EmbeddingRequest.parse`. Checks: no
/// trap; an accepted request has 1...maxInputs inputs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let body = [UInt8](fuzzBytes(data, size))
    guard case .success(let request) = EmbeddingRequest.parse(body, maxInputs: maxInputs) else { return 0 }
    fuzzCheck(!request.inputs.isEmpty && request.inputs.count <= maxInputs, "\(request.inputs.count) inputs accepted")
    return 0
}
