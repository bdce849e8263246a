import FuzzSupport
import HTTPServer

/// Small limits, so that every limit check is within the fuzzer's reach.
private let limits: HTTPLimits = {
    var limits = HTTPLimits()
    limits.maxHeaderBytes = 2048
    limits.maxHeaderCount = 16
    limits.maxURIBytes = 512
    return limits
}()

/// What one parser made of the bytes, copied out of the buffer so runs can be compared.
private enum Outcome: Equatable {
    case needMoreBytes
    case complete(consumed: Int, fields: Int, target: Range<Int>, path: Range<Int>)
    case failed(HTTPParseError)
}

/// Feeds the input to `HTTPHeadParser` whole, then grown through 1-3 cut points derived from
/// its first byte, and checks that every run agrees and that a complete head lies inside the
/// bytes it consumed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    let whole = feed(input, cuts: [])
    let seed = input.first ?? 0
    for count in 1...3 {
        let split = feed(input, cuts: fuzzCuts(length: input.count, seed: seed &+ UInt8(count), count: count))
        fuzzCheck(split == whole, "split feeding gave \(split), whole feeding \(whole)")
    }
    return 0
}

/// Parses growing prefixes of `input` ending at each cut, then the whole input.
private func feed(_ input: UnsafeRawBufferPointer, cuts: [Int]) -> Outcome {
    var parser = HTTPHeadParser(limits: limits)
    for end in cuts + [input.count] {
        let prefix = UnsafeRawBufferPointer(rebasing: input[0..<end])
        do throws(HTTPParseError) {
            switch try parser.parse(prefix) {
            case .needMoreBytes:
                continue
            case .complete(let consumed):
                return check(parser.head, consumed: consumed, given: end)
            }
        } catch {
            return .failed(error)
        }
    }
    return .needMoreBytes
}

/// Checks a complete head's offsets against what the parser was given and consumed.
private func check(_ head: HTTPRequestHead, consumed: Int, given: Int) -> Outcome {
    fuzzCheck(consumed > 0 && consumed <= given, "consumed \(consumed) of \(given) bytes")
    fuzzCheck(consumed <= limits.maxHeaderBytes, "consumed \(consumed) past maxHeaderBytes")
    var ranges = [head.target, head.path]
    if let query = head.query { ranges.append(query) }
    if let authority = head.authority { ranges.append(authority) }
    for field in head.fields { ranges += [field.name, field.value] }
    for range in ranges {
        fuzzCheck(range.lowerBound >= 0 && range.upperBound <= consumed, "range \(range) outside the \(consumed)-byte head")
    }
    fuzzCheck(head.target.count <= limits.maxURIBytes, "target of \(head.target.count) bytes past maxURIBytes")
    fuzzCheck(head.fields.count <= limits.maxHeaderCount, "\(head.fields.count) fields past maxHeaderCount")
    return .complete(consumed: consumed, fields: head.fields.count, target: head.target, path: head.path)
}
